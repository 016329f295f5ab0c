"""Churn prediction: features as of a cut-off, training rows, scoring and risk history."""
