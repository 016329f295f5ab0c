"""Lead scoring: rules + a calibrated per-tenant model, combined into a 0-100 score with reasons."""
