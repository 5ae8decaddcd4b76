"""Was a plan's item sent before? Its files' MD5s and the history's answer, before sending.

The batch window shows this per submission while the clerk reviews the plan; the run itself
decides again when it sends (``run.py``), so this is a notice, never a gate. Qt-free and
blocking: call it from a worker thread. Hashing can be stopped between two reads.

A file is read only when History cannot vouch for it: one that Runway was asked to start,
at the same path, with the same size and modification time to the nanosecond, is taken to
hold the bytes it held then (``recorded_md5``), as backup and sync tools judge a file
unchanged. That is what lets a term's folder be planned and run again without reading every
export once more; sending again on purpose (``resend``) reads every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from pathlib import Path

from runway_desktop.bundles.model import Registry
from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.history_actions import already_sent, already_sent_text
from runway_desktop.core.submit.form_values import FormValues
from runway_desktop.history.store import HistoryStore

CHUNK = 1 << 20  # hashlib releases the GIL for buffers this size

# HistoryStore.sent_file_md5s: the MD5 of each file sent, by (path, size, mtime_ns).
SentFiles = Mapping[tuple[str, int, int], str]


class HashingStopped(Exception):
    """``stop`` said so between two reads."""


def never() -> bool:
    return False


def file_md5(path: Path, stop: Callable[[], bool] = never) -> str:
    """The MD5 of the file's bytes, as the file check records it for "already sent"; "" when
    the file cannot be read (nothing was sent of a file no one can read)."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                if stop():
                    raise HashingStopped(str(path))
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def recorded_md5(path: Path, sent: SentFiles) -> str | None:
    """The MD5 History recorded when ``path`` was sent and Runway was asked to start it, if
    the file has the same size and modification time now; None: it must be read to know."""
    try:
        info = path.stat()
    except OSError:
        return None
    return sent.get((str(path), info.st_size, info.st_mtime_ns))


def item_md5s(
    item: PlanItem,
    known: MutableMapping[Path, str] | None = None,
    stop: Callable[[], bool] = never,
    sent: SentFiles | None = None,
) -> list[str]:
    """The MD5 of each of the item's files; ``known`` keeps them by path (a file the clerk
    moves to another slot or submission is not read again); ``sent``: what History vouches
    for (``recorded_md5``), not read at all."""
    known = {} if known is None else known
    md5s = []
    for path in item.files.values():
        if path not in known:
            recorded = recorded_md5(path, sent) if sent else None
            known[path] = recorded or file_md5(path, stop)
        md5s.append(known[path])
    return md5s


def sent_before(
    history: HistoryStore,
    registry: Registry,
    partner: str,
    item: PlanItem,
    md5s: list[str],
    now: datetime | None = None,
) -> str | None:
    """ "These files were already sent for Star Assessments, district-a, 2023–24 on 2 Dec at
    07:11 (submission #12)." when these exact files went to the same target and Runway was
    asked to start them; None when they were not (or the assessment is unknown)."""
    bundle = registry.get(item.bundle)
    if bundle is None:
        return None
    values = FormValues(
        partner, item.tenant, item.school_year, bundle, dict(item.params), dict(item.files)
    )
    record = already_sent(history, values, md5s)
    return already_sent_text(record, bundle.display_name, now) if record is not None else None
