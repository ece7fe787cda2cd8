"""E-ID accounts, authentication, sessions, devices and tokens."""
