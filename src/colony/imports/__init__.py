"""Files in and out of a tenant: the CSV import and export of transactions (bank formats come next)."""
