"""Analysis: where things get worse, and where several things get worse together."""
