"""Neighbourhood geography: area types, areas, boundaries and their display versions."""
