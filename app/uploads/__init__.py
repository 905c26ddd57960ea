"""Every partner upload, from the request to the stored batch.

- :mod:`.source` receives a request's body (streamed to a spooled file, size-limited);
- :mod:`.reading` is the one framework-free reader of partner files, and
  :mod:`.layouts` the formats that plug into it (observations: long, wide, JSON;
  events: police.uk, CSV with coordinates, GeoJSON);
- :mod:`.observation_uploads` and :mod:`.event_uploads` check what was read against the
  catalogue and the geography and store it as one batch of revisions (all or nothing);
- :mod:`.revisions` stages values and writes them as revisions, under locks;
  :mod:`.batches` keeps the history and reverts a batch;
- :mod:`.routes` are the upload and batch routes.
"""
