"""The storage adapter's errors."""


class StorageError(RuntimeError):
    """The object is missing, its key is not acceptable, or its bytes are corrupted."""
