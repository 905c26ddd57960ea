"""Observations: indicator values by area and period, uploaded by partner agencies."""
