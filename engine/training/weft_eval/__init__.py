"""The evaluators of `weft eval`: a small CNN trained on ground-truth renders of the procedural world only."""
