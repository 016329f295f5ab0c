"""CSV imports of customers and of their lifecycle events, on the shared engine (crm_saas/imports)."""
