"""The national population registry, reached through an adapter (read-only)."""
