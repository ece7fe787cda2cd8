"""Notifications: a transactional outbox, templates, channels and delivery workers."""
