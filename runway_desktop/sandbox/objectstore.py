"""The sandbox's object storage: one bucket of S3-like objects kept on disk.

Layout under ``root``:

* ``objects/<sha256 of key>.data`` — the object's bytes;
* ``objects/<sha256 of key>.json`` — its key, size, MD5 ETag and modification time;
* ``incoming/`` — uploads in progress, renamed into ``objects/`` only when complete.

Keys are hashed rather than escaped because S3 keys may hold anything (``/``, ``..``, ``?``,
1,024 bytes of UTF-8): a hash can never name a path outside ``root`` and never exceeds the
file-name length limit. The key itself lives in the sidecar JSON and in an in-memory index.

Thread-safe: the S3 front calls it from the aiohttp loop while the sandbox API and executor
call it from other threads. One lock guards the index and the rename of data plus sidecar, so
a reader always sees the data file that matches the metadata it was given.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

MAX_KEY_BYTES = 1024  # S3's limit on the UTF-8 length of a key


class NoSuchKeyError(KeyError):
    """The bucket holds no object under this key."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str  # hex MD5 of the content, without quotes (single-part uploads only, like S3)
    last_modified: datetime  # UTC, whole seconds like S3 reports it


def _check_key(key: str) -> bytes:
    encoded = key.encode("utf-8")  # lone surrogates raise UnicodeEncodeError (a ValueError)
    if not encoded:
        raise ValueError("an object key must not be empty")
    if len(encoded) > MAX_KEY_BYTES:
        raise ValueError(f"an object key must be at most {MAX_KEY_BYTES} bytes of UTF-8")
    return encoded


class PendingUpload:
    """An object being written to a temporary file; invisible until :meth:`commit`."""

    def __init__(self, store: ObjectStore, key: str, temp_path: Path) -> None:
        self._store = store
        self.key = key
        self._temp_path = temp_path
        self._file: BinaryIO | None = temp_path.open("wb")
        self._md5 = hashlib.md5(usedforsecurity=False)
        self.bytes_written = 0

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError("upload already committed or aborted")
        self._file.write(data)
        self._md5.update(data)
        self.bytes_written += len(data)

    def commit(self) -> ObjectInfo:
        """Make the object visible, replacing any previous one atomically."""
        if self._file is None:
            raise ValueError("upload already committed or aborted")
        self._file.close()
        self._file = None
        return self._store._install(
            self.key, self._temp_path, self.bytes_written, self._md5.hexdigest()
        )

    def abort(self) -> None:
        """Throw the partial data away; safe to call more than once or after commit."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._temp_path.unlink(missing_ok=True)

    def __enter__(self) -> PendingUpload:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abort()  # a no-op after commit; discards the data when the block failed


class ObjectStore:
    def __init__(self, root: Path, bucket: str = "runway-sandbox") -> None:
        self.root = Path(root)
        self.bucket = bucket
        self._objects_dir = self.root / "objects"
        self._incoming_dir = self.root / "incoming"
        self._lock = threading.Lock()
        self._index: dict[str, ObjectInfo] = {}
        self._objects_dir.mkdir(parents=True, exist_ok=True)
        # Left-overs of uploads cut short by a previous crash can never be committed.
        shutil.rmtree(self._incoming_dir, ignore_errors=True)
        self._incoming_dir.mkdir(parents=True, exist_ok=True)
        self._load_index()

    # -- reading -------------------------------------------------------------------------

    def stat(self, key: str) -> ObjectInfo | None:
        with self._lock:
            return self._index.get(key)

    def open_object(self, key: str) -> tuple[ObjectInfo, BinaryIO] | None:
        """The object's metadata and an open file that stays valid if it is replaced meanwhile."""
        with self._lock:
            info = self._index.get(key)
            if info is None:
                return None
            return info, self._data_path(key).open("rb")

    def open_read(self, key: str) -> BinaryIO:
        opened = self.open_object(key)
        if opened is None:
            raise NoSuchKeyError(key)
        return opened[1]

    def read_bytes(self, key: str) -> bytes:
        with self.open_read(key) as stream:
            return stream.read()

    def list_keys(self, prefix: str) -> list[str]:
        with self._lock:
            keys = [key for key in self._index if key.startswith(prefix)]
        # S3 lists in UTF-8 byte order, which differs from str order for astral characters.
        return sorted(keys, key=lambda key: key.encode("utf-8"))

    # -- writing -------------------------------------------------------------------------

    def begin_upload(self, key: str) -> PendingUpload:
        _check_key(key)
        handle, name = tempfile.mkstemp(dir=self._incoming_dir, suffix=".part")
        os.close(handle)
        return PendingUpload(self, key, Path(name))

    def put_bytes(self, key: str, data: bytes) -> ObjectInfo:
        with self.begin_upload(key) as upload:
            upload.write(data)
            return upload.commit()

    def delete(self, key: str) -> bool:
        with self._lock:
            if self._index.pop(key, None) is None:
                return False
            self._meta_path(key).unlink(missing_ok=True)
            self._data_path(key).unlink(missing_ok=True)
            return True

    def reset(self) -> None:
        """Delete every object. Uploads in progress keep their temporary files and may still
        commit afterwards, as a PUT racing a bucket wipe would on S3."""
        with self._lock:
            self._index.clear()
            shutil.rmtree(self._objects_dir, ignore_errors=True)
            self._objects_dir.mkdir(parents=True, exist_ok=True)

    # -- internals -----------------------------------------------------------------------

    def _stem(self, key: str) -> str:
        return hashlib.sha256(_check_key(key)).hexdigest()

    def _data_path(self, key: str) -> Path:
        return self._objects_dir / f"{self._stem(key)}.data"

    def _meta_path(self, key: str) -> Path:
        return self._objects_dir / f"{self._stem(key)}.json"

    def _install(self, key: str, temp_path: Path, size: int, etag: str) -> ObjectInfo:
        info = ObjectInfo(
            key=key,
            size=size,
            etag=etag,
            last_modified=datetime.now(UTC).replace(microsecond=0),
        )
        meta = {
            "key": key,
            "size": size,
            "etag": info.etag,
            "last_modified": info.last_modified.isoformat(),
        }
        meta_temp = temp_path.with_suffix(".json")
        meta_temp.write_text(json.dumps(meta), encoding="utf-8")
        try:
            with self._lock:
                # Data first: a crash between the two renames leaves a sidecar describing the
                # old data, which _load_index drops because the sizes no longer agree.
                temp_path.replace(self._data_path(key))
                meta_temp.replace(self._meta_path(key))
                self._index[key] = info
        finally:
            temp_path.unlink(missing_ok=True)
            meta_temp.unlink(missing_ok=True)
        return info

    def _load_index(self) -> None:
        for meta_path in self._objects_dir.glob("*.json"):
            info = self._read_sidecar(meta_path)
            if info is not None:
                self._index[info.key] = info
            else:
                meta_path.unlink(missing_ok=True)
                meta_path.with_suffix(".data").unlink(missing_ok=True)
        for data_path in self._objects_dir.glob("*.data"):
            if not data_path.with_suffix(".json").exists():
                data_path.unlink(missing_ok=True)  # orphaned by a crash between the renames

    def _read_sidecar(self, meta_path: Path) -> ObjectInfo | None:
        """The sidecar's metadata if it agrees with its data file, else None."""
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            info = ObjectInfo(
                key=meta["key"],
                size=int(meta["size"]),
                etag=meta["etag"],
                last_modified=datetime.fromisoformat(meta["last_modified"]),
            )
            size_on_disk = meta_path.with_suffix(".data").stat().st_size
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if size_on_disk != info.size or self._stem(info.key) != meta_path.stem:
            return None
        return info
