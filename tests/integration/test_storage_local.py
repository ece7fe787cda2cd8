"""The local-folder storage adapter and its configuration by URL."""
from pathlib import Path

import pytest

from app.storage import LocalStorage, StorageError, get_storage, storage_from_url
from app.storage.adapter import checksum


def test_put_get_delete_round_trip(tmp_path):
    storage = LocalStorage(tmp_path)
    stored = storage.put("documents/abc-1", b"hello")
    assert stored.size == 5 and stored.sha256 == checksum(b"hello")
    assert (tmp_path / "documents" / "abc-1").read_bytes() == b"hello"
    assert storage.get("documents/abc-1", sha256=stored.sha256) == b"hello"
    storage.delete("documents/abc-1")
    storage.delete("documents/abc-1")  # deleting twice is fine
    with pytest.raises(StorageError):
        storage.get("documents/abc-1")


def test_a_corrupted_object_is_refused_when_a_checksum_is_given(tmp_path):
    storage = LocalStorage(tmp_path)
    stored = storage.put("k", b"original")
    (tmp_path / "k").write_bytes(b"tampered")
    with pytest.raises(StorageError, match="checksum"):
        storage.get("k", sha256=stored.sha256)


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../b", "a b", "", "a//b", "name.pdf"])
def test_keys_cannot_escape_the_folder(tmp_path, key):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put(key, b"x")
    assert list(tmp_path.iterdir()) == []


def test_no_temporary_file_is_left_behind(tmp_path):
    LocalStorage(tmp_path).put("a/b", b"data")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b"]


def test_urls_choose_the_folder(tmp_path):
    assert storage_from_url(f"file://{tmp_path}/files").root == Path(f"{tmp_path}/files")
    assert storage_from_url("file://storage", "/srv/instance").root == Path("/srv/instance/storage")
    with pytest.raises(ValueError):
        storage_from_url("s3://bucket")


def test_the_app_builds_its_storage_from_the_configuration(app, tmp_path):
    saved = app.extensions.pop("storage", None)
    saved_url = app.config["STORAGE_URL"]
    app.config["STORAGE_URL"] = f"file://{tmp_path}"
    try:
        with app.app_context():
            storage = get_storage()
            assert get_storage() is storage
            assert storage.root == tmp_path
    finally:
        app.config["STORAGE_URL"] = saved_url
        app.extensions.pop("storage", None)
        if saved is not None:
            app.extensions["storage"] = saved
