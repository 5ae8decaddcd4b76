"""Shared pieces for the submit/history/outputs suites: the real core wired to the sandbox.

``Core`` holds one shared ``httpx.AsyncClient``, a ``RunwayClient`` + ``TokenProvider`` built
from the sandbox profile, a ``HistoryStore`` in the test's temp folder and the shipped
registry. Nothing here replaces what the tests check: every call goes over HTTP to the sandbox.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from runway_desktop.api.auth import TokenProvider, TokenSettings
from runway_desktop.api.client import RunwayClient
from runway_desktop.api.http import make_http_client
from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.api.retry import RetryPolicy
from runway_desktop.base.resources import samples_dir
from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.outputs.downloader import SetDownloader
from runway_desktop.core.set_watcher import NewSetWatcher
from runway_desktop.core.submit.events import PipelineEvent, Step, StepStarted, SubmissionRequest
from runway_desktop.core.submit.links import UploadLinkCache
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.store import HistoryStore
from runway_desktop.sandbox.server import Sandbox

PROFILE = "sandbox"
PARTNER = "acme"
FAST_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def _map_growth_csv() -> bytes:
    """A small MAP Growth export the app and the sandbox accept as one: the authors' sample
    header and three of its rows, re-dated. Tests send it with the years 2026 and 2025, so its
    rows span Spring 2024–25 and Fall 2025–26 (a cross-term export, as districts pull them);
    either year is one of the file's, and neither is a mismatch that must be accepted."""
    sample = samples_dir() / "MAP_Growth" / "sample_anonymized_file.csv"
    header, *rows = list(csv.reader(io.StringIO(sample.read_text(encoding="utf-8-sig"))))
    term, date, student = (header.index(c) for c in ("TermName", "TestStartDate", "StudentID"))
    when = [("Spring 2024-2025", "04/15/2025"), ("Fall 2025-2026", "09/16/2025")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for number, row in enumerate(rows[:3]):
        row[term], row[date] = when[min(number, 1)]
        row[student] = str(605000 + number)
        writer.writerow(row)
    return out.getvalue().encode()


CSV = _map_growth_csv()
MAP_HEADER = CSV.split(b"\n", 1)[0]


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def assessment_namer(registry: Registry) -> Callable[[str | None], str]:
    """The folder name of an assessment: its registry display name, else the path's tail."""

    def name(path: str | None) -> str:
        bundle = registry.get(path) if path else None
        if bundle is not None:
            return bundle.display_name
        return (path or "Unknown assessment").rsplit("/", 1)[-1]

    return name


def write_big_csv(path: Path, megabytes: int) -> Path:
    """A valid CSV of about ``megabytes`` MB that preflights quickly (few, long rows)."""
    # A MAP Growth row (so the checks and the sandbox's run accept it) with one long value.
    first_row = CSV.split(b"\n")[2]
    row = first_row.replace(b"Growth: ", b"Growth: " + b"x" * 8000, 1) + b"\n"
    with path.open("wb") as handle:
        handle.write(MAP_HEADER + b"\n")
        for _ in range(megabytes * 1_000_000 // len(row)):
            handle.write(row)
    return path


@dataclass
class Core:
    sandbox: Sandbox
    http: httpx.AsyncClient
    client: RunwayClient
    history: HistoryStore
    registry: Registry
    tmp: Path
    events: list[PipelineEvent] = field(default_factory=list)

    # -- building things -------------------------------------------------------------------
    def bundle(self, path: str) -> Bundle:
        bundle = self.registry.get(path)
        assert bundle is not None, path
        return bundle

    def request(
        self,
        bundle: str,
        files: Mapping[str, Path],
        params: Mapping[str, str] | None = None,
        *,
        school_year: str = "2026",
        tenant: str = "district-a",
    ) -> SubmissionRequest:
        return SubmissionRequest(
            profile_name=PROFILE,
            api_base_url=str(self.sandbox.profile["api_base_url"]),
            partner=PARTNER,
            tenant=tenant,
            school_year=school_year,
            bundle=self.bundle(bundle),
            files=dict(files),
            params=dict(params or {}),
        )

    def map_request(self, path: Path, *, school_year: str = "2026") -> SubmissionRequest:
        return self.request("assessments/MAP_Growth", {"INPUT_FILE": path}, school_year=school_year)

    def csv(self, name: str = "scores.csv", content: bytes = CSV) -> Path:
        path = self.tmp / name
        path.write_bytes(content)
        return path

    def pipeline(
        self,
        *,
        links: UploadLinkCache | None = None,
        history: HistoryStore | None = None,
        listener: Callable[[PipelineEvent], None] | None = None,
    ) -> SubmissionPipeline:
        def record(event: PipelineEvent) -> None:
            self.events.append(event)
            if listener is not None:
                listener(event)

        return SubmissionPipeline(
            self.client, self.http, history or self.history, links=links, listener=record
        )

    def downloader(self, history: HistoryStore | None = None) -> SetDownloader:
        return SetDownloader(
            self.client,
            self.http,
            history or self.history,
            profile_name=PROFILE,
            assessment_name=assessment_namer(self.registry),
        )

    def watcher(self, root: Path, history: HistoryStore | None = None) -> NewSetWatcher:
        store = history or self.history
        return NewSetWatcher(
            self.client,
            self.downloader(store),
            store,
            profile_name=PROFILE,
            partner=PARTNER,
            root=root,
        )

    # -- reading the sandbox ---------------------------------------------------------------
    def job_uids(self) -> list[str]:
        return self.sandbox.call(lambda: list(self.sandbox.server.state.jobs))

    def runs(self, job_uid: str) -> list[str]:
        """Statuses of the job's runs (one per accepted start)."""

        def read() -> list[str]:
            job = self.sandbox.server.state.find_job(job_uid)
            assert job is not None, f"no job {job_uid} in the sandbox"
            return [run.status for run in job.runs]

        return self.sandbox.call(read)

    def input_objects(self, job_uid: str) -> dict[str, bytes | None]:
        """env var -> the uploaded bytes in the sandbox's store (None = not uploaded)."""
        store = self.sandbox.server.store

        def read() -> dict[str, bytes | None]:
            job = self.sandbox.server.state.find_job(job_uid)
            assert job is not None
            return {
                f.env_var: store.read_bytes(f.key) if store.stat(f.key) else None for f in job.files
            }

        return self.sandbox.call(read)

    def input_keys(self, job_uid: str) -> dict[str, str]:
        def read() -> dict[str, str]:
            job = self.sandbox.server.state.find_job(job_uid)
            assert job is not None
            return {f.env_var: f.key for f in job.files}

        return self.sandbox.call(read)

    async def wait_for_runs(self, job_uid: str, status: str, within: float = 10.0) -> None:
        """Until every run of the job has ``status`` (e.g. "error" once a failing run ended)."""
        deadline = time.monotonic() + within
        while not (runs := self.runs(job_uid)) or any(r != status for r in runs):
            assert time.monotonic() < deadline, f"runs of {job_uid}: {runs}"
            await asyncio.sleep(0.05)

    async def wait_for_sets(self, job_uid: str, within: float = 10.0) -> list[OutputSet]:
        deadline = time.monotonic() + within
        while True:
            sets = await self.client.list_output_sets(OutputSetFilter(partner=PARTNER))
            mine = [s for s in sets if s.job_uid == job_uid]
            if mine:
                return mine
            assert time.monotonic() < deadline, f"no output set for {job_uid}"
            await asyncio.sleep(0.05)

    async def wait_runs_finished(self, job_uid: str, within: float = 10.0) -> list[str]:
        deadline = time.monotonic() + within
        while True:
            runs = self.runs(job_uid)
            if runs and all(r in ("success", "error") for r in runs):
                return runs
            assert time.monotonic() < deadline, f"runs of {job_uid} did not finish: {runs}"
            await asyncio.sleep(0.05)


def make_client(sandbox: Sandbox, http: httpx.AsyncClient) -> RunwayClient:
    profile = sandbox.profile
    tokens = TokenProvider(
        http,
        TokenSettings(
            token_url=str(profile["token_url"]),
            client_id=str(profile["client_id"]),
            client_secret=str(profile["client_secret"]),
            audience=str(profile["audience"]),
        ),
        retry_policy=FAST_RETRIES,
    )
    return RunwayClient(http, str(profile["api_base_url"]), tokens, retry_policy=FAST_RETRIES)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def fail_next_start(core: Core) -> Callable[[PipelineEvent], None]:
    """A listener that makes the next start answer 503: Runway's answer to it is lost."""

    def listener(event: PipelineEvent) -> None:
        if isinstance(event, StepStarted) and event.step is Step.START:
            core.sandbox.faults.set("api_error", {"status": 503, "count": 1})

    return listener


@pytest.fixture
async def core(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Core]:
    http = make_http_client()
    history = HistoryStore(tmp_path / "history.sqlite3")
    try:
        yield Core(
            sandbox=sandbox,
            http=http,
            client=make_client(sandbox, http),
            history=history,
            registry=load_snapshot(),
            tmp=tmp_path,
        )
    finally:
        history.close()
        await http.aclose()
