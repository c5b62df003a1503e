"""Exchange rates: European Central Bank reference rates, stored per date, looked up by a query."""
