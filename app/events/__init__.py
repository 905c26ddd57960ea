"""Point events (crimes, fires, road casualties): reading uploads, assigning areas, counting."""
