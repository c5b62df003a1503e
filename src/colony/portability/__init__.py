"""Everything out and back: a tenant's whole data as one versioned document, and its restore into an empty tenant."""
