"""The file stores: local folder and database, behind one interface."""

import pytest

from app.services.file_store import LocalStore


@pytest.mark.parametrize(
    "key", ["../1/x", "1/../x", "1/.hidden", "x/1", "1/", "/etc/passwd", "1/a/b", "1\\..\\x"]
)
def test_the_local_store_refuses_keys_that_leave_its_folder(tmp_path, key):
    store = LocalStore(str(tmp_path / "files"))
    with pytest.raises(ValueError):
        store.put(key, b"x")
    with pytest.raises(ValueError):
        store.get(key)


def test_the_local_store_writes_whole_files_and_drops_a_conversations(tmp_path):
    store = LocalStore(str(tmp_path))
    store.put("7/abc", b"one")
    store.put("7/abc", b"two")
    store.put("8/def", b"kept")
    assert store.get("7/abc") == b"two"
    assert sorted(p.name for p in (tmp_path / "7").iterdir()) == ["abc"]  # no temporary left
    store.delete_conversation(7)
    assert store.get("7/abc") is None
    assert store.get("8/def") == b"kept"
