"""Helpers shared by the test suites: tenants with a user per role, API clients, processes."""
