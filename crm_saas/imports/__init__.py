"""The CSV import engine that every app's import uses: store the upload, infer a column plan,
preview it, then stream rows through a background job in batches with a row-level report.

An app describes its import with an ``ImportSpec`` (fields and their synonyms, how a row's cells
become values, how a batch is written); see ``leads/imports`` and ``lifecycle/imports``.
"""
