"""Alembic migrations of the shipment store (run by ``Store.open`` and ``ensgate store``)."""
