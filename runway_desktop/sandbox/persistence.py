"""The sandbox's jobs, runs and output sets kept in its data directory across restarts.

The desktop app starts a practice server each time it opens in practice mode, over the same
data directory (the uploaded objects and the signing key already live there). Without its
jobs, a practice submission of yesterday would look for results on a server that never heard
of its job and wait forever. So a sandbox given a data directory of its own keeps its state
in ``state.json`` there:

- **When.** A small task compares the state's JSON with what was last written, twice a
  second, and writes when it differs; :meth:`StateKeeper.save` runs once more at stop. No
  hook in the API or the executor, so no mutation can be missed. A crash loses at most the
  last half second, which a real server's restart can lose too (a run then reads as never
  started, which the client already copes with).
- **How.** Written to a temporary file beside it, then renamed over it: a reader (or the
  next start) sees the old state or the new one, never half of one.
- **Unfinished runs.** A run left ``new`` or ``running`` by a stop is started again at the
  next start, as a real server's queue would pick it up again.
- **Unreadable file.** Set aside as ``state.json.unreadable`` and the sandbox starts empty,
  saying so on stderr: practice must start even when its old state cannot be read.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from runway_desktop.sandbox.state import Job, JobFile, OutputSetRecord, Run, SandboxState

STATE_FILE_NAME = "state.json"
FORMAT_VERSION = 1
SAVE_EVERY_SECONDS = 0.5


def state_to_json(state: SandboxState) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "jobs": [_job_to_json(job) for job in state.jobs.values()],
    }


def state_from_json(document: dict[str, Any], state: SandboxState) -> None:
    """Fill ``state`` (empty) from a saved document; ids go on after the highest seen."""
    if document.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown state format {document.get('version')!r}")
    jobs = [_job_from_json(raw) for raw in document["jobs"]]
    for job in jobs:
        state.add_job(job)
    job_ids = [job.id for job in jobs]
    run_ids = [run.id for job in jobs for run in job.runs]
    if job_ids:
        state.continue_ids(max(job_ids) + 1, max(run_ids, default=0) + 1)


def unfinished_runs(state: SandboxState) -> list[tuple[Job, Run]]:
    return [(job, run) for job in state.jobs.values() for run in job.runs
            if run.status in ("new", "running")]  # fmt: skip


class StateKeeper:
    """Loads the state at start and keeps ``state.json`` up to date while the sandbox runs."""

    def __init__(self, data_dir: Path, state: SandboxState) -> None:
        self.path = data_dir / STATE_FILE_NAME
        self.state = state
        self._written = ""
        self._task: asyncio.Task[None] | None = None

    def load(self) -> None:
        if not self.path.exists():
            return
        try:
            text = self.path.read_text(encoding="utf-8")
            state_from_json(json.loads(text), self.state)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.state.reset()
            aside = self.path.with_name(self.path.name + ".unreadable")
            with contextlib.suppress(OSError):
                self.path.replace(aside)
            print(f"The sandbox's saved jobs could not be read ({exc}); it starts empty, and "
                  f"the file was kept as {aside.name}.", file=sys.stderr)  # fmt: skip
            return
        self._written = text

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._keep())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.save()

    def save(self) -> None:
        text = json.dumps(state_to_json(self.state), separators=(",", ":"))
        if text == self._written:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)
        self._written = text

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(SAVE_EVERY_SECONDS)
            try:
                self.save()
            except OSError as exc:  # a full disk must not stop the practice server
                print(f"The sandbox could not save its jobs: {exc}", file=sys.stderr)


def _job_to_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "uid": job.uid, "partner": job.partner, "tenant": job.tenant,
        "bundle": job.bundle, "bundle_name": job.bundle_name, "school_year": job.school_year,
        "send_to_ods": job.send_to_ods, "year_kind": job.year_kind,
        "files": [{"env_var": f.env_var, "name": f.name, "key": f.key} for f in job.files],
        "params": job.params, "api_client_id": job.api_client_id,
        "api_client_name": job.api_client_name, "api_issuer": job.api_issuer,
        "created_on": job.created_on.isoformat(),
        "runs": [
            {"id": run.id, "status": run.status, "error_code": run.error_code,
             "output_sets": [
                 {"uid": s.uid, "run_id": s.run_id, "folder": s.folder, "files": s.files,
                  "sent_to_ods": s.sent_to_ods, "created_on": s.created_on.isoformat()}
                 for s in run.output_sets]}
            for run in job.runs
        ],
    }  # fmt: skip


def _job_from_json(raw: dict[str, Any]) -> Job:
    runs = [
        Run(id=int(r["id"]), status=str(r["status"]), error_code=r["error_code"],
            output_sets=[
                OutputSetRecord(uid=str(s["uid"]), run_id=int(s["run_id"]),
                                folder=str(s["folder"]), files=[str(n) for n in s["files"]],
                                sent_to_ods=bool(s["sent_to_ods"]),
                                created_on=datetime.fromisoformat(s["created_on"]))
                for s in r["output_sets"]])
        for r in raw["runs"]
    ]  # fmt: skip
    return Job(
        id=int(raw["id"]), uid=str(raw["uid"]), partner=str(raw["partner"]),
        tenant=str(raw["tenant"]), bundle=str(raw["bundle"]),
        bundle_name=str(raw["bundle_name"]), school_year=str(raw["school_year"]),
        send_to_ods=bool(raw["send_to_ods"]), year_kind=str(raw["year_kind"]),
        files=[JobFile(str(f["env_var"]), str(f["name"]), str(f["key"])) for f in raw["files"]],
        params=dict(raw["params"]), api_client_id=str(raw["api_client_id"]),
        api_client_name=raw["api_client_name"], api_issuer=raw["api_issuer"],
        created_on=datetime.fromisoformat(raw["created_on"]), runs=runs,
    )  # fmt: skip
