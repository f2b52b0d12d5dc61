"""Small helpers every floor may use (nothing here knows the graph)."""
