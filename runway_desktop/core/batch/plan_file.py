"""A batch plan as a TOML file a person reads and edits, and reading it back after the edits.

The file is meant for people: one ``[[item]]`` per submission with a comment naming it, the
slot and the school year in words beside the values, what must still be filled in, and the
files that could not be placed with the reason. Paths are relative to ``folder``, so the
lines stay short and a plan moved with its folder still works.

Reading is strict about the shape (an unknown key is a typo the person should hear about
before anything is sent) and leaves the meaning to the run, which checks each item by the
submission's own rules, so one bad item never stops the others.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.model import InputParam, Registry
from runway_desktop.core.batch.plan import BatchPlan, PlanItem, Unplaced
from runway_desktop.core.batch.toml_text import comment, is_valid_text, pair

PLAN_VERSION = 1
_ITEM_KEYS = frozenset({"bundle", "tenant", "year", "files", "params"})
_INTRODUCTION = (
    "Runway Desktop batch plan, made by `runway-desktop-cli batch plan`.",
    "Review it before sending: each [[item]] is one submission (its assessment, district,",
    "school year, files by slot and parameters). Change what is wrong, fill in what a",
    "'To do' asks for, delete the items not to send, then send it with",
    "`runway-desktop-cli batch run THIS_FILE`. Running it again sends only what was not sent.",
    "File paths are relative to `folder`.",
)


class PlanFormatError(ValueError):
    """The plan file cannot be read as a plan; the message says where and why, plainly."""


# -- a plan as a window shows it -----------------------------------------------------------------
NOT_TICKED = "not ticked in the batch window"
LEFT_OUT = "left out of its submission in the batch window"


@dataclass(frozen=True)
class ShownRow:
    """One submission as a front end shows it: the item with the person's edits, whether it is
    ticked to be sent, and its files that were left out of it."""

    item: PlanItem
    ticked: bool
    left_out: tuple[Path, ...] = ()


def plan_as_shown(
    plan: BatchPlan,
    rows: Iterable[ShownRow],
    *,
    not_ticked: str = NOT_TICKED,
    left_out: str = LEFT_OUT,
) -> BatchPlan:
    """``plan`` with the rows as shown: the ticked ones are its items; the files of the others,
    and the files left out of a row, are unplaced with the reason (``not_ticked``,
    ``left_out``), so a file written from it still names every file and sends none of those."""
    items: list[PlanItem] = []
    unplaced = list(plan.unplaced)
    for row in rows:
        if row.ticked:
            items.append(row.item)
            unplaced += (Unplaced(path, left_out) for path in row.left_out)
        else:
            files = (*row.item.files.values(), *row.left_out)
            unplaced += (Unplaced(path, not_ticked) for path in files)
    return BatchPlan(plan.folder, plan.partner, tuple(items), tuple(unplaced))


# -- writing -------------------------------------------------------------------------------------
def plan_text(plan: BatchPlan, registry: Registry) -> str:
    lines = [comment(line) for line in _INTRODUCTION]
    lines += [
        "",
        pair("version", PLAN_VERSION),
        pair("folder", str(plan.folder)),
        pair("partner", plan.partner, "" if plan.partner else "empty: the connection's partner"),
    ]
    for number, item in enumerate(plan.items, start=1):
        bundle = registry.get(item.bundle)
        lines += [
            "",
            comment(f"{number}. {item.label(registry)}"),
            "[[item]]",
            pair("bundle", item.bundle),
            pair("tenant", item.tenant, "the district"),
            pair("year", item.school_year, f"school year {school_year_label(item.school_year)}"),
            *(comment(note) for note in item.notes),
            "[item.files]",
        ]
        for env_var, path in item.files.items():
            slot = bundle.file(env_var) if bundle is not None else None
            lines.append(
                pair(env_var, _relative(path, plan.folder), slot.display_name if slot else "")
            )
        if item.params:
            lines.append("[item.params]")
            for env_var, value in item.params.items():
                param = bundle.param(env_var) if bundle is not None else None
                lines.append(pair(env_var, value, _param_note(param)))
    if plan.unplaced:
        lines += ["", comment("Files that could not be placed: they are not sent.")]
        for one in plan.unplaced:
            lines += ["[[unplaced]]", pair("file", _relative(one.path, plan.folder))]
            lines.append(pair("reason", one.reason))
    return "\n".join(lines) + "\n"


def _relative(path: Path, folder: Path) -> str:
    try:
        text = path.relative_to(folder).as_posix()
    except ValueError:
        text = str(path)
    if is_valid_text(text):
        return text
    # Undecodable bytes in a name (kept by Python as surrogates) have no TOML form: shown.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _param_note(param: InputParam | None) -> str:
    if param is None:
        return ""
    needed = "required" if param.is_required else "optional"
    if param.allowed_values:
        choices = " / ".join(param.allowed_values)
        return f"{param.display_name}, {needed}: one of {choices}"
    return f"{param.display_name}, {needed}"


# -- reading -------------------------------------------------------------------------------------
def read_plan(path: Path) -> BatchPlan:
    """The plan in ``path``; PlanFormatError when it is missing or not a plan."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanFormatError(f"There is no plan file {path}.") from None
    except UnicodeDecodeError:
        raise PlanFormatError(f"{path} is not a plan: it is not UTF-8 text.") from None
    except OSError as exc:
        raise PlanFormatError(f"{path} could not be read ({exc.strerror or exc}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFormatError(f"{path} is not valid TOML: {exc}.") from None
    return parse_plan(data, base=path.parent)


def parse_plan(data: Mapping[str, Any], *, base: Path) -> BatchPlan:
    """The plan in decoded TOML; relative folders are taken from ``base`` (the plan's own)."""
    version = data.get("version", PLAN_VERSION)
    if version != PLAN_VERSION:
        raise PlanFormatError(
            f"The plan is of version {version!r}; this release reads version {PLAN_VERSION}."
        )
    folder = Path(_text(data, "folder", "The plan")).expanduser()
    folder = folder if folder.is_absolute() else base / folder
    partner = data.get("partner", "")
    if not isinstance(partner, str):
        raise PlanFormatError('The plan\'s partner must be text, e.g. partner = "acme".')
    raw_items = data.get("item", [])
    if not isinstance(raw_items, list):
        raise PlanFormatError("The plan's items must be [[item]] tables.")
    items = tuple(_item(raw, n, folder) for n, raw in enumerate(raw_items, start=1))
    raw_unplaced = data.get("unplaced", [])
    unplaced = tuple(
        Unplaced(folder / str(u.get("file", "")), str(u.get("reason", "")))
        for u in (raw_unplaced if isinstance(raw_unplaced, list) else [])
        if isinstance(u, dict)
    )
    return BatchPlan(folder, partner.strip(), items, unplaced)


def _item(raw: object, number: int, folder: Path) -> PlanItem:
    where = f"Item {number}"
    if not isinstance(raw, dict):
        raise PlanFormatError(f"{where} is not a table.")
    unknown = sorted(set(raw) - _ITEM_KEYS)
    if unknown:
        known = ", ".join(sorted(_ITEM_KEYS))
        raise PlanFormatError(f"{where} has unknown keys: {', '.join(unknown)} (known: {known}).")
    year = raw.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        year = str(year)  # year = 2026, without quotes, means the same
    if not isinstance(year, str):
        raise PlanFormatError(f'{where} has no year (the end year, e.g. year = "2026").')
    files = _table(raw.get("files"), f"{where}'s files")
    if not files:
        raise PlanFormatError(f'{where} has no files ([item.files] with SLOT = "path").')
    for env_var, value in files.items():
        if not value.strip():
            raise PlanFormatError(f"{where}'s file {env_var} is empty.")
    paths = {env: _path(value, folder) for env, value in files.items()}
    return PlanItem(
        bundle=_text(raw, "bundle", where).strip(),
        tenant=_text(raw, "tenant", where).strip(),
        school_year=year.strip(),
        files=paths,
        params=_table(raw.get("params"), f"{where}'s params"),
    )


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise PlanFormatError(f"{where} has no {key} (text in quotes).")
    return value


def _table(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanFormatError(f'{where} must be a table of KEY = "text".')
    table: dict[str, str] = {}
    for key, text in value.items():
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise PlanFormatError(f"{where}: {key} must be text in quotes.")
        table[key] = str(text)
    return table


def _path(value: str, folder: Path) -> Path:
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else folder / path
