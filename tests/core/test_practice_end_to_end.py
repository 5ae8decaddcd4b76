"""Every practice bundle, end to end on the practice server: the app's submission pipeline
checks the practice files, signs in, creates the job, uploads, starts, and the sandbox's
executor processes every file into an output set. One job per practice file (a bundle with
several slots sends one file to each), run a few at a time."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import core_helpers
import pytest
from core_helpers import Core

from runway_desktop.core.practice import practice_files, practice_manifest, practice_params
from runway_desktop.core.submit.events import Outcome

pytestmark = pytest.mark.anyio
anyio_backend = core_helpers.anyio_backend
core = core_helpers.core
AT_ONCE = 6


def practice_jobs() -> list[tuple[str, dict[str, Path]]]:
    """(bundle, env var -> file): every practice file is in one of its bundle's jobs."""
    jobs = []
    for bundle, slots in practice_files().items():
        for number in range(max(len(paths) for paths in slots.values())):
            jobs.append((bundle, {env: paths[number % len(paths)] for env, paths in slots.items()}))
    return jobs


async def test_every_practice_bundle_runs_into_output_sets(core: Core) -> None:
    jobs = practice_jobs()
    assert {bundle for bundle, _ in jobs} == set(practice_manifest())
    params = practice_params()
    turns = asyncio.Semaphore(AT_ONCE)

    async def send(bundle: str, files: dict[str, Path]) -> str:
        async with turns:
            request = core.request(bundle, files, params[bundle])
            # The samples' test dates are years old. Only that is accepted: a file the app's
            # check found to be another slot's would still stop the submission.
            accepted = tuple(f"{env}:year" for env in files)
            result = await core.pipeline().submit(replace(request, accepted_mismatches=accepted))
            assert result.outcome is Outcome.STARTED, (bundle, result.error, result.reason)
            assert result.job_uid is not None
            return result.job_uid

    uids = await asyncio.gather(*(send(bundle, files) for bundle, files in jobs))

    for (bundle, files), uid in zip(jobs, uids, strict=True):
        runs = await core.wait_runs_finished(uid, within=30)
        assert runs == ["success"], (bundle, [p.name for p in files.values()])
        (output,) = await core.wait_for_sets(uid)
        assert output.bundle == bundle and output.sent_to_ods
        # The executor writes only non-empty files: there is a record for the students.
        assert "studentAssessments.jsonl" in output.files
    print(f"\n{len(jobs)} practice jobs of {len(practice_manifest())} bundles ran into sets")
