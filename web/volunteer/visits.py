"""My visits."""
