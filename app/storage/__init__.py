"""File storage for uploaded documents and issued results, behind a small adapter.

`get_storage()` returns the adapter chosen by `STORAGE_URL`; `sniff_content_type`
tells PDF, JPEG and PNG apart by their bytes, never by the file's name.
"""
from app.storage.adapter import (
    LocalStorage, Storage, StorageError, StoredObject, get_storage, storage_from_url,
)
from app.storage.sniff import ACCEPTED_TYPES, sniff_content_type

__all__ = ["ACCEPTED_TYPES", "LocalStorage", "Storage", "StorageError", "StoredObject",
           "get_storage", "sniff_content_type", "storage_from_url"]
