"""``RunwayOutputSetTrigger``: waits in the triggerer for the output sets of started jobs.

Runway has no job-status endpoint: a job is done when output sets carrying its uid are listed
(all of a run's sets appear together). The trigger lists the partner's sets through the core
(``core.output_sets``, each listing recorded in History) every ``poll_interval`` seconds on
the triggerer's event loop, so no worker slot is held while Runway works. A failed listing
(a 5xx, a timeout) is logged and tried again at the next poll; the sensor's ``timeout`` ends
the wait. A failed run never makes a set: the timeout's message says where to look.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from runway_desktop.airflow.hooks import RunwayHook
from runway_desktop.airflow.runtime import runway_session, sets_of_jobs
from runway_desktop.api.errors import RunwayError

CLASSPATH = "runway_desktop.airflow.triggers.RunwayOutputSetTrigger"


class RunwayOutputSetTrigger(BaseTrigger):
    def __init__(
        self,
        job_uids: list[str],
        partner: str | None = None,
        runway_conn_id: str = RunwayHook.default_conn_name,
        poll_interval: float = 30.0,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's own, unannotated
        self.job_uids = list(job_uids)
        self.partner = partner
        self.runway_conn_id = runway_conn_id
        self.poll_interval = float(poll_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "job_uids": self.job_uids,
                "partner": self.partner,
                "runway_conn_id": self.runway_conn_id,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        settings = await RunwayHook(self.runway_conn_id).asettings()
        async with runway_session(settings) as context:
            partner = await context.partner(self.partner or None)
            while True:
                try:
                    found = await sets_of_jobs(context, partner, self.job_uids)
                except RunwayError as error:
                    self.log.warning("Could not list Runway's output sets: %s", error.message)
                else:
                    waiting = [uid for uid, sets in found.items() if not sets]
                    if not waiting:
                        yield TriggerEvent(  # type: ignore[no-untyped-call]
                            {
                                "status": "found",
                                "sets": {uid: [s.uid for s in sets] for uid, sets in found.items()},
                            }
                        )
                        return
                    self.log.info("Waiting for output of job(s) %s", ", ".join(waiting))
                await asyncio.sleep(self.poll_interval)
