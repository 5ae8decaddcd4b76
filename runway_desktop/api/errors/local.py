"""Errors about files and folders on this computer: disk full, no permission, a file that
changed while it was being sent. Import these through :mod:`runway_desktop.api.errors`.
"""

from __future__ import annotations

import errno
from pathlib import Path

from runway_desktop.api.errors.codes import ErrorCode
from runway_desktop.api.errors.types import (
    DiskFull,
    ErrorDetails,
    FileChanged,
    FolderNotWritable,
    LocalFileError,
)


def _drive_of(path: Path) -> str:
    """The drive (Windows) or mount point (elsewhere) holding ``path``, for messages."""
    absolute = path.absolute()
    if absolute.drive:
        return absolute.anchor
    for candidate in (absolute, *absolute.parents):
        try:
            if candidate.is_mount():
                return str(candidate)
        except OSError:
            continue
    return str(absolute.parent)


def error_from_os_error(exc: OSError, *, path: Path, writing: bool) -> LocalFileError:
    """Map a local file error; ``writing`` = saving a download (else reading an upload)."""
    d: ErrorDetails = {"server_message": f"{type(exc).__name__}: {exc}"}
    folder = path.parent
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFull(
            f"There is not enough disk space to save {path.name}.",
            next_step=f"Free some disk space on {_drive_of(folder)} or choose another "
            "download folder in Settings.",
            **d,
        )
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        if writing:
            return FolderNotWritable(
                f"This app may not save files in {folder}.",
                next_step="Choose another download folder in Settings, or ask IT for write "
                "access to it.",
                **d,
            )
        return LocalFileError(
            f"This app may not read {path.name}.",
            code=ErrorCode.FILE_UNREADABLE,
            next_step="Close any program that has the file open, or copy it somewhere else "
            "and try again.",
            **d,
        )
    if isinstance(exc, FileNotFoundError) and not writing:
        return file_changed_error(path, detail=d["server_message"])
    action = "save" if writing else "read"
    return LocalFileError(
        f"Could not {action} {path.name}.",
        next_step="Check that the disk or network drive is reachable and try again.",
        **d,
    )


def file_changed_error(path: Path, *, detail: str | None = None) -> FileChanged:
    return FileChanged(
        f"{path.name} changed while it was being sent.",
        next_step="Wait until it is fully saved, then try again.",
        server_message=detail,
    )
