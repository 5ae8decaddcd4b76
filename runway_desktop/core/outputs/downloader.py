"""Downloading an output set: fresh links right before, every file atomic, then recorded.

A set counts as downloaded only when every one of its files arrived complete (the transfer
layer checks each size against what S3 announced, and the MD5 against the ETag where that is
an MD5, and renames into place only then). History records, per file, which check it passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from runway_desktop.api.client import RunwayClient
from runway_desktop.api.download import DownloadResult, download_file
from runway_desktop.api.errors import RunwayError, error_from_os_error
from runway_desktop.api.filenames import safe_filename
from runway_desktop.api.models import OutputSet
from runway_desktop.api.progress import TransferProgress
from runway_desktop.core.outputs.claims import claimed
from runway_desktop.core.outputs.folders import set_folder
from runway_desktop.history.store import HistoryStore

# Output sets hold a handful of small JSONL files: a few in parallel is plenty.
PARALLEL_FILES = 3
STATE_COMPLETE = "complete"
STATE_FAILED = "failed"
STATE_DOWNLOADING = "downloading"
# How a saved file was checked (api.download.Verification), in the words History shows.
VERIFICATION_WORDS = {"md5": "verified (MD5)", "size": "size only"}


def verification_text(kind: str | None) -> str:
    """ "verified (MD5)", "size only", or "" for a file whose check was not recorded."""
    return VERIFICATION_WORDS.get(kind or "", "")


@dataclass(frozen=True)
class SetProgress:
    set_uid: str
    files_done: int
    files_total: int
    bytes_done: int
    current: str | None  # file being received, if any
    # Sum of the file sizes S3 announced, once every file's size is known (else None): lets
    # a one-file set show real progress instead of jumping from 0 to 100 %.
    bytes_expected: int | None = None

    @property
    def fraction(self) -> float:
        return self.files_done / self.files_total if self.files_total else 1.0

    @property
    def byte_fraction(self) -> float:
        if self.bytes_expected:
            return min(1.0, self.bytes_done / self.bytes_expected)
        return self.fraction


@dataclass(frozen=True)
class SetDownload:
    output_set: OutputSet
    folder: Path
    files: tuple[Path, ...]
    error: RunwayError | None = None
    seconds: float = 0.0
    # Another process (the app, a second CLI run) downloaded it while this one waited.
    by_another_process: bool = False
    # Local file name -> "md5" or "size": how each file was checked (see VERIFICATION_WORDS).
    verification: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


SetProgressCallback = Callable[[SetProgress], None]


class SetDownloader:
    def __init__(
        self,
        client: RunwayClient,
        http: httpx.AsyncClient,
        history: HistoryStore,
        *,
        profile_name: str,
        assessment_name: Callable[[str | None], str],
    ) -> None:
        self.client = client
        self.http = http
        self.history = history
        self.profile_name = profile_name
        self.assessment_name = assessment_name
        # Beside the history every process of this user shares (see claims.py).
        self.claims_dir = history.path.parent / "claims"

    def folder_for(self, output_set: OutputSet, root: Path) -> Path:
        return set_folder(root, output_set, self.assessment_name(output_set.bundle))

    async def download(
        self,
        output_set: OutputSet,
        root: Path,
        *,
        on_progress: SetProgressCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> SetDownload:
        started = time.monotonic()
        folder = self.folder_for(output_set, root)
        waited = False

        def on_wait() -> None:
            nonlocal waited
            waited = True

        uid = output_set.uid
        async with claimed(self.claims_dir, self.profile_name, uid, on_wait=on_wait, cancel=cancel):
            if waited:  # another process had it: it may have finished the set meanwhile
                files = await asyncio.to_thread(self._completed_files, uid, folder)
                if files is not None:
                    seconds = time.monotonic() - started
                    checks = self.history.download_verification(self.profile_name, uid)
                    return SetDownload(output_set, folder, files, None, seconds, True, checks)
            return await self._download_claimed(output_set, folder, started, on_progress, cancel)

    def _completed_files(self, set_uid: str, folder: Path) -> tuple[Path, ...] | None:
        """The set's files if the history says it is complete in ``folder`` and they are there."""
        if self.history.download_state(self.profile_name, set_uid) != (STATE_COMPLETE, folder):
            return None
        if not folder.is_dir():
            return None
        return tuple(sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".part"))

    async def _download_claimed(
        self,
        output_set: OutputSet,
        folder: Path,
        started: float,
        on_progress: SetProgressCallback | None,
        cancel: asyncio.Event | None,
    ) -> SetDownload:
        record = self.history.record_download
        record(self.profile_name, output_set.uid, folder=folder, state=STATE_DOWNLOADING, files=[])
        try:
            results = await self._download_files(output_set, folder, on_progress, cancel)
        except RunwayError as error:
            record(
                self.profile_name, output_set.uid, folder=folder, state=STATE_FAILED,
                files=[], message=error.message,
            )  # fmt: skip
            return SetDownload(output_set, folder, (), error, time.monotonic() - started)
        paths = tuple(r.path for r in results)
        checks = {r.path.name: r.verified for r in results}
        record(
            self.profile_name, output_set.uid, folder=folder, state=STATE_COMPLETE,
            files=[p.name for p in paths], verification=checks,
        )  # fmt: skip
        seconds = time.monotonic() - started
        return SetDownload(output_set, folder, paths, None, seconds, verification=checks)

    async def _download_files(
        self,
        output_set: OutputSet,
        folder: Path,
        on_progress: SetProgressCallback | None,
        cancel: asyncio.Event | None,
    ) -> list[DownloadResult]:
        # Links expire after an hour: fetch them right before, and again on a 403.
        links = await self.client.download_links(output_set.uid)
        await asyncio.to_thread(_make_folder, folder)
        local = local_names(links)
        fresh: dict[str, str] = dict(links)
        refresh_lock = asyncio.Lock()
        done: list[Path] = []
        received: dict[str, int] = {}
        sizes: dict[str, int | None] = {}
        limiter = asyncio.Semaphore(PARALLEL_FILES)

        def report(current: str | None) -> None:
            if on_progress is not None:
                on_progress(
                    SetProgress(
                        set_uid=output_set.uid,
                        files_done=len(done),
                        files_total=len(links),
                        bytes_done=sum(received.values()),
                        current=current,
                        bytes_expected=expected(),
                    )
                )

        def expected() -> int | None:
            if len(sizes) < len(links) or None in sizes.values():
                return None
            return sum(size or 0 for size in sizes.values())

        async def one(name: str) -> DownloadResult:
            first = True

            async def url() -> str:
                nonlocal first
                if first:
                    first = False
                    return fresh[name]
                async with refresh_lock:
                    fresh.update(await self.client.download_links(output_set.uid))
                return fresh[name]

            def progress(p: TransferProgress) -> None:
                received[name] = p.bytes_done
                sizes[name] = p.bytes_total
                report(name)

            async with limiter:
                result = await download_file(
                    self.http, url, folder, local[name], on_progress=progress, cancel=cancel
                )
            done.append(result.path)
            report(None)
            return result

        report(None)
        tasks = [asyncio.ensure_future(one(name)) for name in links]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error_from_os_error(exc, path=folder, writing=True) from None


def local_names(names: Iterable[str]) -> dict[str, str]:
    """Server name -> a distinct safe local name.

    Cleaning can map two server names to one ("a/b.jsonl" and "a_b.jsonl"), and Windows and
    macOS ignore case: without a number added, one file would silently replace the other.
    """
    used: set[str] = set()
    result: dict[str, str] = {}
    for name in names:
        base = safe_filename(name)
        stem, dot, extension = base.rpartition(".")
        if not dot or not stem:
            stem, extension = base, ""
        candidate, number = base, 2
        while candidate.casefold() in used:
            candidate = f"{stem} ({number})" + (f".{extension}" if extension else "")
            number += 1
        used.add(candidate.casefold())
        result[name] = candidate
    return result
