"""Customers, lifecycle stages, churn prediction and next best actions."""
