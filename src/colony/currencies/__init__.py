"""Currency metadata (ISO 4217): public reference data from core.currency_data's list."""
