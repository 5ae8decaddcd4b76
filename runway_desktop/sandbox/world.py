"""The sandbox's mutable world (jobs, objects, faults, executor) and what testers may do to it.

Both the server (which builds it) and the control endpoint (which resets it and injects sets)
use this module; neither imports the other for it, so there is no import circle between
``server`` and ``control``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from runway_desktop.sandbox.config import SandboxConfig
from runway_desktop.sandbox.create_job import roster_key
from runway_desktop.sandbox.executor import Executor
from runway_desktop.sandbox.faults import FaultSwitches
from runway_desktop.sandbox.objectstore import ObjectStore
from runway_desktop.sandbox.state import Job, OutputSetRecord, SandboxState, new_uid

ROSTER_LINE = b'{"studentReference": {"studentUniqueId": "605000"}}\n'


@dataclass
class SandboxWorld:
    config: SandboxConfig
    faults: FaultSwitches
    state: SandboxState
    store: ObjectStore
    executor: Executor

    def write_rosters(self) -> None:
        """School years without an ODS but with a roster find one in the bucket."""
        for partner in self.config.partners.values():
            for year, kind in partner.school_years.items():
                if kind == "no-ods-roster":
                    for tenant in partner.tenants:
                        self.store.put_bytes(roster_key(partner.code, tenant, year), ROSTER_LINE)

    async def reset(self) -> None:
        """Back to a fresh start: no jobs, no objects but the rosters, no faults."""
        await self.executor.cancel_all()
        self.faults.clear()
        self.state.reset()
        self.store.reset()
        self.write_rosters()
        settings = self.executor.settings
        settings.delay_seconds = self.config.executor_delay_seconds
        settings.visibility_lag_seconds = self.config.executor_visibility_lag_seconds
        settings.outcome = "auto"

    def inject_output_sets(
        self,
        *,
        partner: str,
        tenant: str,
        school_year: str,
        bundle: str,
        count: int,
        sent_to_ods: bool,
        files: dict[str, bytes],
        created_on: datetime | None = None,
    ) -> list[str]:
        """Listed sets from finished runs without running anything (bulk or odd-case tests)."""
        uids = []
        stamp = created_on or datetime.now(UTC)
        for _ in range(count):
            job = Job(
                id=self.state.next_job_id(),
                uid=new_uid(),
                partner=partner,
                tenant=tenant,
                bundle=bundle,
                bundle_name=bundle.rsplit("/", 1)[-1],
                school_year=school_year,
                send_to_ods=sent_to_ods,
                year_kind="ods" if sent_to_ods else "no-ods-roster",
                files=[],
                params={},
                api_client_id="sandbox-control",
                api_client_name=None,
                api_issuer=None,
                created_on=stamp,
            )
            run = self.state.new_run(job)
            folder = job.output_folder(sent_to_ods)
            for name, content in files.items():
                self.store.put_bytes(f"{folder}/{name}", content)
            output_set = OutputSetRecord(
                uid=new_uid(),
                run_id=run.id,
                folder=folder,
                files=sorted(files),
                sent_to_ods=sent_to_ods,
                created_on=stamp,
            )
            run.output_sets.append(output_set)
            run.status = "success"
            self.state.add_job(job)
            uids.append(output_set.uid)
        return uids
