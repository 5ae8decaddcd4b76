"""``RunwayOutputSetSensor``: done when every given job has output sets; deferrable.

``job_uid``: one job uid or a list (a plan's jobs; the submit operator's XCom fits either).
Deferrable by default: after one look of its own it hands the wait to
``RunwayOutputSetTrigger`` in the triggerer, so no worker slot is held; ``deferrable=False``
pokes from the worker instead. The result (XCom): the set uids of every job, in one list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator, Context, XComArg
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from runway_desktop.airflow.hooks import RunwayHook
from runway_desktop.airflow.runtime import find_sets
from runway_desktop.airflow.task_errors import run_core
from runway_desktop.airflow.triggers import RunwayOutputSetTrigger
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE


def job_uid_list(value: str | Sequence[str] | XComArg | None) -> list[str]:
    """The uids a templated field holds once rendered (one, a list, or none)."""
    if value is None or isinstance(value, XComArg):  # unrendered: nothing to go by
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(uid) for uid in value if str(uid).strip()]


class RunwayOutputSetSensor(BaseSensorOperator):
    template_fields: Sequence[str] = ("job_uid", "partner")

    def __init__(
        self,
        *,
        job_uid: str | Sequence[str] | XComArg,
        partner: str | None = None,
        runway_conn_id: str = RunwayHook.default_conn_name,
        deferrable: bool = True,
        poll_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("poke_interval", poll_interval)
        super().__init__(**kwargs)
        self.job_uid = job_uid
        self.partner = partner
        self.runway_conn_id = runway_conn_id
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self._found: dict[str, list[str]] = {}

    def _job_uids(self) -> list[str]:
        uids = job_uid_list(self.job_uid)
        if not uids:
            raise AirflowException("No job uid to wait for (the submit task pushed none).")
        return uids

    def _look(self) -> dict[str, list[str]] | None:
        """The set uids of each job once every job has some; None while one has none."""
        settings = RunwayHook(self.runway_conn_id).settings()
        uids = self._job_uids()
        try:
            found = run_core(find_sets(settings, uids, self.partner or None))
        except AirflowFailException:
            raise
        except AirflowException as error:  # temporary: the next poke looks again
            self.log.warning("Could not list Runway's output sets: %s", error)
            return None
        if any(not sets for sets in found.values()):
            return None
        return {uid: [s.uid for s in sets] for uid, sets in found.items()}

    def poke(self, context: Context) -> bool:
        found = self._look()
        if found is not None:
            self._found = found
        return found is not None

    def execute(self, context: Context) -> list[str]:
        if not self.deferrable:
            super().execute(context)
            return _flat(self._found)
        found = self._look()
        if found is not None:
            return _flat(found)
        self.defer(
            trigger=RunwayOutputSetTrigger(
                job_uids=self._job_uids(),
                partner=self.partner,
                runway_conn_id=self.runway_conn_id,
                poll_interval=self.poll_interval,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout),
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> list[str]:
        if not event or event.get("status") != "found":
            uids = ", ".join(self._job_uids())
            raise AirflowException(
                f"No output has appeared for job(s) {uids}. {NO_OUTPUT_CAUSE} Look for the "
                "job in the Runway web app."
            )
        sets: dict[str, list[str]] = event["sets"]
        return _flat(sets)


def _flat(found: dict[str, list[str]]) -> list[str]:
    return [set_uid for sets in found.values() for set_uid in sets]
