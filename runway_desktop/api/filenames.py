"""Turning server-provided file names into names that are safe to create on any desktop OS.

Output-set file names come from the server (ultimately from S3 object keys): they must never
be able to climb out of the download folder, hit a Windows device name, or end up invisible.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from runway_desktop.api.errors import ErrorCode, LocalFileError

# 255 bytes is the usual file-name limit (ext4, APFS, NTFS counts UTF-16 units); keep room for
# the ".<name>.part" temp name built from it.
MAX_NAME_BYTES = 200
FALLBACK_NAME = "download"

# Characters Windows forbids in names, plus both path separators.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DOT_RUNS = re.compile(r"\.{2,}")
# Windows device names, reserved with any extension ("con.txt", "COM1.jsonl"); the superscript
# digits are reserved too since Windows 10.
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", re.IGNORECASE)


def safe_filename(name: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A cleaned-up version of ``name`` that is a plain file name on Windows, macOS and Linux.

    Path separators and characters Windows forbids become ``_``; control characters and NUL
    are dropped; runs of dots collapse (so no ``..``); leading dots/spaces (hidden files, and
    our own ``.part`` names) and trailing dots/spaces (Windows strips them) are removed;
    device names get a ``_`` prefix; over-long names are shortened keeping the extension.
    """
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = _CONTROL.sub("", cleaned)
    cleaned = _FORBIDDEN.sub("_", cleaned)
    cleaned = _DOT_RUNS.sub(".", cleaned)
    cleaned = cleaned.strip(" .")
    if not cleaned or set(cleaned) <= {"_", "."}:
        cleaned = f"{FALLBACK_NAME}{cleaned}" if cleaned else FALLBACK_NAME
    stem = cleaned.split(".", 1)[0].rstrip(" ")
    if _RESERVED.match(stem):
        cleaned = f"_{cleaned}"
    return _shorten(cleaned, max_bytes)


def _shorten(name: str, max_bytes: int) -> str:
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode("utf-8")) > max_bytes // 4:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = max_bytes - len(suffix.encode("utf-8"))
    # Cut on a character boundary, never inside a multi-byte UTF-8 sequence.
    encoded = stem.encode("utf-8")[:budget]
    shortened = encoded.decode("utf-8", "ignore").rstrip(" .")
    return f"{shortened or FALLBACK_NAME}{suffix}"


def path_inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing anything that would resolve outside ``folder``.

    ``name`` should already be :func:`safe_filename`'s; this is the second lock on the door
    (it also catches a symlink planted in the folder under that name).
    """
    base = folder.resolve()
    target = (base / name).resolve()
    if target.parent != base:
        raise LocalFileError(
            f"The file name {name!r} would be saved outside the download folder.",
            code=ErrorCode.UNSAFE_FILE_NAME,
            next_step="Report this to support; nothing was saved.",
        )
    return base / name


def partial_name(final_name: str) -> str:
    """The temp name a download is written under before it is complete."""
    return f".{final_name}.part"
