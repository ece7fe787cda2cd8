"""Periodic jobs of the shared plumbing, run by the worker (`flask worker run`)."""
from app.common.idempotency import purge_expired_keys
from app.common.jobs import register_periodic

register_periodic("idempotency.purge_expired_keys", 3600, purge_expired_keys)
