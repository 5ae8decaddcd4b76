"""What the Airflow hook, operators and trigger do, without Airflow: plain async functions over
the core (``core.session``, ``core.batch.run``, ``core.output_sets``, the download queue).

Nothing here talks HTTP itself and nothing imports Airflow, so the rules stay the app's: a
submission is the batch runner's (idempotent by the files' MD5s and the target, resumed after
an interruption, never started twice after a lost answer), waiting lists output sets, and
downloading new sets is watch mode's poll (its lagging cursor, one download per set uid).

Where the History lives: ``RunwaySettings.data_dir`` (the connection extra's ``data_dir``),
else the app's own data folder (``RUNWAY_DESKTOP_HOME/data`` when that is set). Every worker
that runs the tasks of one connection must see the same folder, or a rerun on another worker
cannot know what was sent.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runway_desktop.api.models import OutputSet, OutputSetFilter
from runway_desktop.core.batch.plan import BatchPlan, PlanItem
from runway_desktop.core.batch.run import (
    BatchEvent,
    BatchRunner,
    ItemFinished,
    ItemOutcome,
    outcome_text,
)
from runway_desktop.core.output_sets import list_and_record
from runway_desktop.core.outputs.download_queue import DownloadQueue
from runway_desktop.core.outputs.downloader import SetDownload, SetDownloader
from runway_desktop.core.session import HISTORY_FILE_NAME, Connection, Session
from runway_desktop.settings import (
    Profile,
    SecretStore,
    cache_dir,
    data_dir,
    default_profile_store,
    default_recent_values,
)
from runway_desktop.settings.profiles import TOKEN_STYLES

log = logging.getLogger(__name__)

PROFILE_PREFIX = "airflow:"  # History's profile name: "airflow:<connection id>"
EXTRA_KEYS = frozenset({"token_url", "token_style", "audience", "scopes", "partner", "data_dir"})


class RunwaySettingsError(ValueError):
    """The Airflow connection cannot be used as a Runway connection; the message says why."""


@dataclass(frozen=True)
class RunwaySettings:
    """One Airflow connection read as a Runway connection, and where its History lives."""

    profile: Profile
    secret: str = field(repr=False)
    data_dir: Path | None = None

    @property
    def history_path(self) -> Path:
        return (self.data_dir or data_dir()) / HISTORY_FILE_NAME


def api_base_url(host: str | None, schema: str | None, port: int | None) -> str:
    """The API base URL: ``host`` as given when it is a URL (the JSON form of a connection),
    else ``https://host[:port][/schema]`` (the URI form splits it)."""
    host = (host or "").strip()
    if "://" in host:
        return host.rstrip("/")
    if not host:
        return ""
    netloc = f"{host}:{port}" if port else host
    path = f"/{schema.strip('/')}" if schema and schema.strip("/") else ""
    return f"https://{netloc}{path}"


def settings_from_connection(
    conn_id: str,
    *,
    host: str | None,
    login: str | None,
    password: str | None,
    extra: Mapping[str, Any],
    schema: str | None = None,
    port: int | None = None,
) -> RunwaySettings:
    """host = the API base URL, login = client id, password = secret; extra: ``token_url``
    (required), ``token_style`` ("form" or "json"), ``audience``, ``scopes`` (text or list),
    ``partner`` (the default partner) and ``data_dir`` (the History's folder)."""
    unknown = sorted(set(extra) - EXTRA_KEYS)
    if unknown:
        known = ", ".join(sorted(EXTRA_KEYS))
        raise RunwaySettingsError(
            f"Connection {conn_id!r}: unknown extra keys {', '.join(unknown)} (known: {known})."
        )
    style = str(extra.get("token_style") or "form")
    if style not in TOKEN_STYLES:
        raise RunwaySettingsError(
            f"Connection {conn_id!r}: token_style is {style!r}; use one of {TOKEN_STYLES}."
        )
    scopes = extra.get("scopes") or ""
    if isinstance(scopes, list | tuple):
        scopes = " ".join(str(s) for s in scopes)
    data = {
        "name": f"{PROFILE_PREFIX}{conn_id}",
        "api_base_url": api_base_url(host, schema, port),
        "token_url": str(extra.get("token_url") or ""),
        "client_id": (login or "").strip(),
        "token_style": style,
        "audience": extra.get("audience") or None,
        "scopes": str(scopes),
        "default_partner": extra.get("partner") or None,
    }
    try:
        profile = Profile.from_json(data)
    except ValueError as exc:
        raise RunwaySettingsError(f"Connection {conn_id!r}: {exc}") from None
    problems = profile.problems()
    if problems:
        raise RunwaySettingsError(f"Connection {conn_id!r}: {' '.join(problems)}")
    if not password:
        raise RunwaySettingsError(
            f"Connection {conn_id!r} has no password: put the client secret there."
        )
    folder = extra.get("data_dir")
    return RunwaySettings(profile, password, Path(str(folder)).expanduser() if folder else None)


@dataclass
class RunwayContext:
    """The core's one ``Session`` (its History at the settings' path) and the connection."""

    settings: RunwaySettings
    session: Session
    connection: Connection

    async def partner(self, explicit: str | None = None) -> str:
        return await self.connection.partner(explicit or None)


@asynccontextmanager
async def runway_session(settings: RunwaySettings) -> AsyncIterator[RunwayContext]:
    """One session for one task (or one trigger): made, used, closed."""
    session = Session(
        profiles=default_profile_store(),
        secrets=SecretStore(),
        recent=default_recent_values(),
        history_path=settings.history_path,
        registry_cache_dir=cache_dir(),
    )
    try:
        connection = session.connect(settings.profile, settings.secret)
        yield RunwayContext(settings, session, connection)
    finally:
        await session.aclose()


def single_plan(
    *,
    bundle: str,
    tenant: str,
    school_year: str,
    files: Mapping[str, str | Path],
    params: Mapping[str, str] | None = None,
    partner: str = "",
) -> BatchPlan:
    """One submission as a one-item batch plan, so it is sent by the batch runner's rules."""
    paths = {slot: Path(path).expanduser() for slot, path in files.items()}
    item = PlanItem(
        bundle=bundle.strip(),
        tenant=tenant.strip(),
        school_year=str(school_year).strip(),
        files=paths,
        params={k: str(v) for k, v in (params or {}).items()},
    )
    folder = next(iter(paths.values())).parent if paths else Path.cwd()
    return BatchPlan(folder, partner.strip(), (item,), ())


async def submit_plan(
    settings: RunwaySettings,
    plan: BatchPlan,
    *,
    partner: str | None = None,
    resend: bool = False,
    jobs: int = 1,
    record_as: str | None = None,
) -> tuple[str, list[ItemOutcome]]:
    """The partner sent for (``partner``, else the plan's, else the connection's) and each
    item's outcome (sent, resumed, already sent, …), in the plan's order. ``record_as``: the
    plan file, kept in History as a batch (one submission is not a batch: None)."""

    def tell(event: BatchEvent) -> None:
        if isinstance(event, ItemFinished):
            outcome = event.outcome
            log.info(
                "Item %d/%d %s: %s",
                outcome.number,
                len(plan.items),
                outcome.status.value,
                outcome_text(outcome),
            )

    async with runway_session(settings) as context:
        chosen = await context.partner(partner or plan.partner)
        runner = BatchRunner(
            context.connection.client,
            context.session.http,
            context.session.history,
            settings.profile,
            context.session.registry,
            jobs=jobs,
            resend=resend,
            listener=tell,
            record_as=record_as,
        )
        return chosen, await runner.run(plan, chosen)


async def sets_of_jobs(
    context: RunwayContext, partner: str, job_uids: Sequence[str]
) -> dict[str, list[OutputSet]]:
    """The listed output sets of each job (recorded in History, as every listing is)."""
    listed = await list_and_record(
        context.connection.client, context.session.history, OutputSetFilter(partner=partner)
    )
    found: dict[str, list[OutputSet]] = {uid: [] for uid in job_uids}
    for output_set in listed:
        if output_set.job_uid in found:
            found[output_set.job_uid].append(output_set)
    return found


async def find_sets(
    settings: RunwaySettings, job_uids: Sequence[str], partner: str | None = None
) -> dict[str, list[OutputSet]]:
    async with runway_session(settings) as context:
        return await sets_of_jobs(context, await context.partner(partner), job_uids)


def _worker(context: RunwayContext) -> SetDownloader:
    return SetDownloader(
        context.connection.client,
        context.session.http,
        context.session.history,
        profile_name=context.settings.profile.name,
        assessment_name=context.session.assessment_name,
    )


async def download_new(
    settings: RunwaySettings, folder: Path, partner: str | None = None
) -> list[SetDownload]:
    """Watch mode's one poll: every set of the partner not downloaded yet with this
    connection, found through the lagging cursor, each set once (kept in History)."""
    async with runway_session(settings) as context:
        await context.connection.sign_in()
        chosen = await context.partner(partner)
        queue = DownloadQueue(root=folder, check_root=False)
        queue.configure(_worker(context), [chosen])
        return list((await queue.poll(chosen)).downloads)


async def download_sets(
    settings: RunwaySettings, folder: Path, set_uids: Sequence[str], partner: str | None = None
) -> tuple[list[SetDownload], list[str]]:
    """The named sets not downloaded yet with this connection (one already downloaded is
    skipped, as watch mode would), and the uids Runway does not list."""
    async with runway_session(settings) as context:
        await context.connection.sign_in()
        chosen = await context.partner(partner)
        listed = await list_and_record(
            context.connection.client, context.session.history, OutputSetFilter(partner=chosen)
        )
        by_uid = {s.uid: s for s in listed}
        wanted = list(dict.fromkeys(set_uids))
        unknown = [uid for uid in wanted if uid not in by_uid]
        done = context.session.history.downloaded_set_uids(settings.profile.name)
        todo = [by_uid[uid] for uid in wanted if uid in by_uid and uid not in done]
        queue = DownloadQueue(root=folder, check_root=False)
        queue.configure(_worker(context), [chosen])
        return list(await queue.download_all(todo)), unknown
