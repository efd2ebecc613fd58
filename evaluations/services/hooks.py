"""Registers the evaluation runs' completion handler and the shadow-run listener (filled below)."""
