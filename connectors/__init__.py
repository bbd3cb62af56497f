"""Connector plugin layer (in progress)."""
