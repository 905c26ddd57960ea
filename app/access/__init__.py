"""Who is asking, and what they may see and do.

:mod:`.viewer` says who a request (or a command) acts for; :mod:`.policy` is the one
place that decides what a viewer may see (indicators, unsuppressed small counts,
batches, raw events) and do; :mod:`.deps` gives routes their viewer. Partner agencies
and their API keys (stored as SHA-256 hashes) are kept here too, since a key is how an
agency's viewer is known.
"""
