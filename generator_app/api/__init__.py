"""The REST API (DRF): read-only run data now; generation endpoints register on the same router."""
