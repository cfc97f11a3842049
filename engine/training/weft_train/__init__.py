"""Training-side helpers for Weft's bundled model (numpy only where possible)."""
