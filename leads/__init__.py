"""Leads, CSV import and lead scoring (rules + ML)."""
