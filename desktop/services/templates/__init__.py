"""Audit templates as files (``resources/templates/*.toml``), checked and versioned."""
