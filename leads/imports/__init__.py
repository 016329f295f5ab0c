"""CSV import of leads: infer a column plan, preview it, then stream rows in a background job."""
