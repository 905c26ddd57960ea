"""The layouts partners send, as plug-ins on the one reader (:mod:`app.uploads.reading`).

Observations: :mod:`.observation_layouts` (long and wide CSV, JSON). Events: :mod:`.event_layouts`
(police.uk, CSV with coordinates, GeoJSON). A new partner format is one new layout
module, added to its kind's :class:`~app.uploads.reading.layout.Layouts`.
"""
