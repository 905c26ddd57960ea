"""Neighbourhood Information System: the service (HTTP API, database, CLI)."""
