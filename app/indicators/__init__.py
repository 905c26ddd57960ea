"""Indicators: the catalogue of what the partnership measures, and how to read it."""
