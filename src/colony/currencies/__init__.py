"""Currency metadata (ISO 4217): public reference data from core.money's table."""
