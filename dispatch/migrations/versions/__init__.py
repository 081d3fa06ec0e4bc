"""Migration scripts, oldest first: 0001 initial schema, then one file per change."""
