"""Choropleth maps: an indicator's values classified and coloured, with their legend."""
