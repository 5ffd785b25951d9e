"""``aduan-admin``: the platform operator's command line (onboard tenants, list them, export invoices)."""
