"""Agencies and the catalog of administrative procedures."""
