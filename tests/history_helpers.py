"""Real submissions in every derived status, made with the real pipeline against the sandbox,
for the History screen's tests and screenshots. Nothing is faked in the store except, for
"No result yet", the clock the page derives statuses with (or an old start, for screenshots).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from core_helpers import CSV as MAP_CSV
from sandbox_process import SandboxProcess

from runway_desktop.api.client import RunwayClient
from runway_desktop.bundles.model import Registry
from runway_desktop.core.submit.events import FileProgress, PipelineEvent, SubmissionRequest
from runway_desktop.core.submit.events import SubmissionResult as Result
from runway_desktop.core.submit.links import UploadLinkCache
from runway_desktop.core.submit.pipeline import SubmissionPipeline
from runway_desktop.history.store import HistoryStore

PARTNER = "acme"


def _map_export() -> Path:
    """One file per test process, named like the sample (tests search for that name)."""
    global _MAP_EXPORT
    if _MAP_EXPORT is None:
        _MAP_EXPORT = Path(tempfile.mkdtemp(prefix="map-")) / "sample_anonymized_file.csv"
        _MAP_EXPORT.write_bytes(MAP_CSV)
    return _MAP_EXPORT


_MAP_EXPORT: Path | None = None


@dataclass
class Maker:
    sandbox: SandboxProcess  # a child: Maker runs beside Qt
    http: httpx.AsyncClient
    client: RunwayClient
    history: HistoryStore
    registry: Registry
    samples: Path
    profile_name: str
    links: UploadLinkCache

    def request(
        self, bundle: str, files: dict[str, Path], params: dict[str, str] | None = None,
        *, school_year: str = "2026", tenant: str = "district-a",
    ) -> SubmissionRequest:  # fmt: skip
        found = self.registry.get(bundle)
        assert found is not None, bundle
        return SubmissionRequest(
            profile_name=self.profile_name,
            api_base_url=str(self.sandbox.profile["api_base_url"]),
            partner=PARTNER,
            tenant=tenant,
            school_year=school_year,
            bundle=found,
            files=files,
            params=params or {},
        )

    def map_request(self, school_year: str = "2026", path: Path | None = None) -> SubmissionRequest:
        # The authors' sample is dated 2021–22: a MAP export dated in the years the tests
        # send (core_helpers.CSV) is what a clerk would send, and needs no "Send anyway".
        if path is None:
            path = _map_export()
        return self.request("assessments/MAP_Growth", {"INPUT_FILE": path}, school_year=school_year)

    def psat_request(self, school_year: str = "2026") -> SubmissionRequest:
        sat = self.samples / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
        return self.request(
            "assessments/PSAT_SAT", {"INPUT_FILE": sat}, {"TEST_TYPE": "SAT"},
            school_year=school_year, tenant="district-b",
        )  # fmt: skip

    def pipeline(
        self, listener: Callable[[PipelineEvent], None] | None = None
    ) -> SubmissionPipeline:
        return SubmissionPipeline(
            self.client, self.http, self.history, links=self.links, listener=listener
        )

    async def submit(self, request: SubmissionRequest) -> Result:
        return await self.pipeline().submit(request)

    async def cancelled_upload(self, request: SubmissionRequest) -> Result:
        """An upload interrupted half way: the job exists, nothing was started."""
        holder: list[SubmissionPipeline] = []

        def on_event(event: PipelineEvent) -> None:
            if isinstance(event, FileProgress):
                holder[0].cancel()

        holder.append(self.pipeline(on_event))
        return await holder[0].submit(request)

    async def create_refused(self, request: SubmissionRequest) -> Result:
        """Runway answered 503 to create (retries included): nothing was sent."""
        self.sandbox.faults.set("api_error", {"status": 503})
        try:
            return await self.submit(request)
        finally:
            self.sandbox.faults.set("api_error", None)

    def runs(self, job_uid: str) -> list[str]:
        job = self.sandbox.job(job_uid)
        assert job is not None, f"the sandbox has no job {job_uid}"
        return [run.status for run in job.runs]

    def job_uids(self) -> list[str]:
        """Every job the sandbox holds, in the order it created them."""
        return [job.uid for job in self.sandbox.jobs()]

    async def wait_runs_finished(self, job_uid: str, within: float = 15.0) -> list[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            runs = self.runs(job_uid)
            if runs and all(r in ("success", "error") for r in runs):
                return runs
            assert loop.time() < deadline, f"runs of {job_uid} did not finish: {runs}"
            await asyncio.sleep(0.05)
