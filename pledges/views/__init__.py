"""Pages of pools, one module per kind of page (see pledges/urls.py)."""
