"""Privacy requests about one person (export, erasure) and tenant offboarding.

Each app that stores personal data registers a provider (``<app>/privacy.py``, see ``registry``);
the services iterate the providers, so a new app takes part by adding one module.
"""
