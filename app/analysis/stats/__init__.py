"""The statistics of the analysis, framework-free: numpy arrays in, numpy arrays out.

Nothing here knows of the database or HTTP; every function is vectorised over many
series at once (one row per area, one column per period) rather than looping in Python.
"""
