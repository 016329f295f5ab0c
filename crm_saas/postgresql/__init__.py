"""The database backend: django-tenants' PostgreSQL backend, sending the tenant's search path only
when the session's path actually changes (see base.py)."""
