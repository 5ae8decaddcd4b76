"""``RunwaySubmitOperator`` and ``RunwayDownloadOperator``: the core's submission and watch-mode
download, as Airflow tasks.

Submitting is the batch runner's (``core.batch.run``), for one submission (``bundle``,
``partner``, ``tenant``, ``school_year``, ``files`` = {slot: path}, ``params``: the
assessment's parameters) or for a batch plan file (``plan``). ``params`` is also Airflow's own
name for a task's params, so the task's own (not its DAG's) are the assessment's; a DAG author
who wants both apart gives ``bundle_params``, which wins. It is idempotent: a retry or a rerun
with the same files (same MD5s) for the same target creates no second job and returns the first
one's job uid, read from the History (see ``runtime``); a submission cut short is resumed and a
start whose answer was lost is never sent again. ``resend=True`` sends the files again as a new job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator, Context, XComArg
from airflow.sdk.definitions.param import ParamsDict
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from runway_desktop.airflow.hooks import RunwayHook
from runway_desktop.airflow.runtime import (
    download_new,
    download_sets,
    single_plan,
    submit_plan,
)
from runway_desktop.airflow.sensors import job_uid_list
from runway_desktop.airflow.task_errors import run_core, task_error
from runway_desktop.core.batch.plan import BatchPlan
from runway_desktop.core.batch.plan_file import PlanFormatError, read_plan
from runway_desktop.core.batch.run import DONE_STATUSES, ItemOutcome, ItemStatus, outcome_text
from runway_desktop.core.submit.events import SubmissionInvalid

XCOM_JOB_UIDS = "job_uids"
XCOM_PARTNER = "partner"  # the partner sent for: the plan's, the task's or the connection's


class RunwaySubmitOperator(BaseOperator):
    """Returns (XCom ``return_value``) the job uid, or with ``plan`` the list of the items'
    job uids; both are also pushed as the list ``job_uids``, and the partner as ``partner``."""

    template_fields: Sequence[str] = (
        "bundle", "partner", "tenant", "school_year", "files", "bundle_params", "plan",
    )  # fmt: skip

    def __init__(
        self,
        *,
        bundle: str | None = None,
        partner: str | None = None,
        tenant: str | None = None,
        school_year: str | int | None = None,
        files: Mapping[str, str] | None = None,
        bundle_params: Mapping[str, str] | None = None,
        plan: str | None = None,
        resend: bool = False,
        jobs: int = 1,
        runway_conn_id: str = RunwayHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        # Read before BaseOperator keeps them as the task's Airflow params (templates see them).
        own_params = task_level_params(kwargs.get("params"))
        super().__init__(**kwargs)
        self.bundle = bundle
        self.partner = partner
        self.tenant = tenant
        self.school_year = None if school_year is None else str(school_year)
        self.files = dict(files or {})
        self.bundle_params = {**own_params, **dict(bundle_params or {})}
        self.plan = plan
        self.resend = resend
        self.jobs = jobs
        self.runway_conn_id = runway_conn_id
        if plan is not None and (bundle or files or tenant):
            raise ValueError("Give either plan or bundle, tenant, school_year and files.")
        if plan is None and not (bundle and tenant and school_year and files):
            raise ValueError("Give bundle, tenant, school_year and files (or plan).")

    def _plan(self) -> BatchPlan:
        if self.plan:
            try:
                return read_plan(Path(self.plan).expanduser())
            except PlanFormatError as exc:
                raise AirflowFailException(str(exc)) from None
        assert self.bundle and self.tenant and self.school_year  # checked in __init__
        return single_plan(
            bundle=self.bundle,
            tenant=self.tenant,
            school_year=self.school_year,
            files=self.files,
            params=self.bundle_params,
        )

    def execute(self, context: Context) -> str | list[str]:
        plan = self._plan()
        if not plan.items:
            raise AirflowFailException(f"The plan {self.plan} has no items to send.")
        settings = RunwayHook(self.runway_conn_id).settings()
        partner, outcomes = run_core(
            submit_plan(
                settings,
                plan,
                partner=self.partner,
                resend=self.resend,
                jobs=self.jobs,
                record_as=str(Path(self.plan).expanduser().resolve()) if self.plan else None,
            )
        )
        for outcome in outcomes:
            self.log.info("%s: %s", outcome.status.value, outcome_text(outcome))
        failed = [o for o in outcomes if o.status not in DONE_STATUSES or o.job_uid is None]
        if failed:
            lines = "; ".join(f"item {o.number}: {outcome_text(o)}" for o in failed)
            raise task_error(
                f"{len(failed)} of {len(outcomes)} item(s) not sent: {lines}",
                retry=any(_retry_helps(o) for o in failed),
            )
        uids = [o.job_uid for o in outcomes if o.job_uid is not None]
        context["ti"].xcom_push(key=XCOM_JOB_UIDS, value=uids)
        context["ti"].xcom_push(key=XCOM_PARTNER, value=partner)
        return uids if self.plan else uids[0]


class RunwayDownloadOperator(BaseOperator):
    """Downloads output sets into ``folder`` (``<folder>/<partner>/<tenant>/<year>/…``, as the
    app does). ``new_only=True``: every set of the partner not downloaded yet with this
    connection, by watch mode's cursor (a set is never downloaded twice, none is missed).
    ``new_only=False``: the sets named by ``set_uids`` (e.g. the sensor's XCom), those already
    downloaded skipped. Returns the downloaded sets' folders."""

    template_fields: Sequence[str] = ("folder", "partner", "set_uids")

    def __init__(
        self,
        *,
        folder: str,
        new_only: bool = True,
        set_uids: str | Sequence[str] | XComArg | None = None,
        partner: str | None = None,
        runway_conn_id: str = RunwayHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.folder = folder
        self.new_only = new_only
        self.set_uids = set_uids
        self.partner = partner
        self.runway_conn_id = runway_conn_id
        if not new_only and set_uids is None:
            raise ValueError("With new_only=False, give set_uids.")

    def execute(self, context: Context) -> list[str]:
        settings = RunwayHook(self.runway_conn_id).settings()
        root = Path(self.folder).expanduser()
        unknown: list[str] = []
        if self.new_only:
            downloads = run_core(download_new(settings, root, self.partner or None))
        else:
            uids = job_uid_list(self.set_uids)
            downloads, unknown = run_core(download_sets(settings, root, uids, self.partner or None))
        for download in downloads:
            if download.ok:
                self.log.info("Output set %s in %s", download.output_set.uid, download.folder)
        failed = [d for d in downloads if d.error is not None]
        if unknown:
            raise AirflowFailException(f"Runway lists no output set {', '.join(unknown)}.")
        if failed:
            # The finished sets are kept; a retry fetches only the failed ones.
            lines = "; ".join(
                f"{d.output_set.uid}: {d.error.message}" for d in failed if d.error is not None
            )
            raise AirflowException(f"{len(failed)} output set(s) failed: {lines}")
        if not downloads:
            self.log.info("No new output sets.")
        return [str(d.folder) for d in downloads]


def task_level_params(params: object) -> dict[str, str]:
    """The params given to the task itself: Airflow merges the DAG's into them (marked by
    their source), and those are the DAG's, not the assessment's."""
    if isinstance(params, ParamsDict):
        own = ParamsDict.filter_params_by_source(params, "task")
        return {str(key): str(own[key]) for key in own}
    if isinstance(params, Mapping):
        return {str(key): str(value) for key, value in params.items()}
    return {}


def _retry_helps(outcome: ItemOutcome) -> bool:
    """A retry may succeed: busy, couldn't tell yet (a retry's resume looks again), or a
    temporary error; not a refusal or a file that fails its checks."""
    if outcome.status in (ItemStatus.BUSY, ItemStatus.UNDECIDED, ItemStatus.NOT_SENT):
        return True
    error = outcome.error
    if error is None or isinstance(error, SubmissionInvalid):
        return False
    return error.retryable
