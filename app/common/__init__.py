"""Shared plumbing: base model, errors, pagination, clock, working days, ids."""
