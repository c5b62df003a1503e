"""Files in and out of a tenant: the CSV import and export of transactions (`/transactions/import`,
`/transactions/export`), and bank files in (`bank/`: `/imports`)."""
