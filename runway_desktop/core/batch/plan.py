"""A batch plan: a folder of vendor files turned into submissions a person can review.

Every file is identified by its header alone (the core's ``identify_file``, the rule the
Submit screen's drop and ``identify`` follow), so planning hundreds of files takes seconds
and reads no file to its end. Files are grouped into one submission per assessment, district
and school year, a multi-file bundle's files together (STAR's three). A file that cannot be
placed is kept in the plan with the reason, never dropped silently.

Where the district and the year come from, most specific first:

- district: a folder named after one of the partner's districts (when they are known, e.g.
  from the practice server's world), else ``tenant``; with neither known, the top-level
  subfolder's name is read as the district;
- school year: the one the file's rows hold (the year the submission's check requires), else
  ``school_year``, which also chooses among the years of a file that spans several.

The notes say where ``tenant`` and ``school_year`` are given in the front end's own words
(:class:`WhereGiven`): the GUI and the CLI read the same rule, each pointing at its own field.

The plan is written as TOML (``plan_file.py``) and read back from it after a person's edits.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.file_identity import FileIdentity, identify_file
from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.bundles.signatures import SignatureIndex, shipped_index
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.core.batch.toml_text import is_valid_text

# A note saying what must be filled in before the item can be sent.
TO_DO = "To do: "


@dataclass(frozen=True)
class PlanItem:
    """One submission: the files by slot (absolute paths), its district, year and params."""

    bundle: str  # registry path, as sent to Runway
    tenant: str
    school_year: str  # end year, "2026" = 2025–26
    files: Mapping[str, Path]
    params: Mapping[str, str] = field(default_factory=dict)
    # What the person should know or do before sending, in plain words (written as comments).
    notes: tuple[str, ...] = ()

    def label(self, registry: Registry) -> str:
        """ "Star Assessments, district-a, 2023–24"."""
        bundle = registry.get(self.bundle)
        name = bundle.display_name if bundle is not None else self.bundle
        return f"{name}, {self.tenant}, {school_year_label(self.school_year)}"


@dataclass(frozen=True)
class Unplaced:
    """A file the plan does not send, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class BatchPlan:
    folder: Path
    partner: str  # "" = the connection's own partner
    items: tuple[PlanItem, ...]
    unplaced: tuple[Unplaced, ...] = ()


@dataclass(frozen=True)
class _Placed:
    path: Path
    bundle: Bundle
    env_var: str
    tenant: str
    school_year: str
    note: str = ""


@dataclass(frozen=True)
class WhereGiven:
    """Where a person gives the folder's district and school year, ending a note's "… was
    given": "with --tenant" on a command line, "on the Submit screen" in the GUI."""

    district: str = ""
    year: str = ""

    def district_given(self) -> str:
        return _given(self.district)

    def year_given(self) -> str:
        return _given(self.year)


def _given(where: str) -> str:
    return f"given {where}".strip() if where else "given"


def plan_folder(
    folder: Path,
    registry: Registry,
    *,
    partner: str = "",
    tenant: str | None = None,
    school_year: str | None = None,
    known_tenants: Collection[str] = (),
    index: SignatureIndex | None = None,
    leave_out: Collection[Path] = (),
    where: WhereGiven = WhereGiven(),
    only: Collection[Path] = (),
) -> BatchPlan:
    """The plan for every file under ``folder`` (hidden files and folders aside, and
    ``leave_out``: the plan file itself, say), or, given ``only`` (what was dropped: files and
    folders under ``folder``), for those files and the files in those folders. Blocking: one
    header read per file; a worker thread for a front end with a loop."""
    index = index or shipped_index()
    folder = folder.absolute()
    skipped = {path.absolute() for path in leave_out}
    chosen = {path.absolute() for path in only}
    placed: list[_Placed] = []
    unplaced: list[Unplaced] = []
    for path in _files_under(folder, unplaced):
        if path in skipped or (chosen and chosen.isdisjoint((path, *path.parents))):
            continue
        found = _place(path, folder, registry, index, tenant, school_year, known_tenants, where)
        if isinstance(found, _Placed):
            placed.append(found)
        else:
            unplaced.append(found)
    groups: dict[tuple[str, str, str], list[_Placed]] = {}
    for one in placed:
        groups.setdefault((one.tenant, one.bundle.path, one.school_year), []).append(one)
    items: list[PlanItem] = []
    for (district, _, year), members in sorted(groups.items()):
        bundle = members[0].bundle
        for files, refused in _submissions(bundle, members, district, year):
            if refused:
                unplaced.extend(Unplaced(p.path, refused) for p in files)
            else:
                items.append(_item(bundle, files, district, year))
    unplaced.sort(key=lambda u: u.path)
    return BatchPlan(folder, partner, tuple(items), tuple(unplaced))


def dropped_batch(paths: Collection[Path]) -> tuple[Path, tuple[Path, ...]]:
    """Where a drop of ``paths`` (files and folders) is planned, and its ``only``: one folder
    is planned whole, as "Send a folder…" would; anything else in the folder that holds it
    all, so that district folders dropped together still name their districts."""
    if len(paths) == 1 and (folder := next(iter(paths))).is_dir():
        return folder.absolute(), ()
    parents = [str(path.absolute().parent) for path in paths]
    return Path(os.path.commonpath(parents)), tuple(path.absolute() for path in paths)


def _files_under(folder: Path, unplaced: list[Unplaced]) -> Iterator[Path]:
    """Every file, in a stable order; hidden entries (.DS_Store, .git) are not the district's
    files. Symbolic links to folders are not followed (a loop would never end). A folder that
    cannot be read is added to ``unplaced``: its files are not sent, and the plan says so."""

    def unreadable(error: OSError) -> None:
        where = Path(error.filename or folder)
        unplaced.append(Unplaced(where, f"This folder could not be read ({error.strerror})."))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(root) / name


def _place(
    path: Path,
    folder: Path,
    registry: Registry,
    index: SignatureIndex,
    default_tenant: str | None,
    default_year: str | None,
    known_tenants: Collection[str],
    where: WhereGiven,
) -> _Placed | Unplaced:
    if not is_valid_text(str(path)):
        return Unplaced(path, "Its name is not valid text; rename it and plan again.")
    if not path.is_file():  # a pipe or a device: reading it could wait forever
        return Unplaced(path, "It is not a regular file.")
    try:
        identity = identify_file(path, index)
    except OSError as exc:
        return Unplaced(path, f"It could not be read ({exc.strerror or exc}).")
    bundle, reason = _bundle_of(identity, registry)
    if bundle is None or identity.env_var is None:
        return Unplaced(path, reason)
    in_folders = path.relative_to(folder).parts[:-1]
    district, why = _district_of(in_folders, known_tenants, default_tenant, where)
    if district is None:
        return Unplaced(path, why)
    slot = bundle.file(identity.env_var)
    if slot is None:
        return Unplaced(path, f"{bundle.display_name} has no slot {identity.env_var}.")
    if not slot.accepts_extension(path.suffix):
        return Unplaced(
            path,
            f"It looks like the “{slot.display_name}” file of {bundle.display_name}, which "
            f"takes {slot.accepted_types_text}.",
        )
    year, note = _year_of(identity, default_year, where)
    if year is None:
        return Unplaced(path, note)
    return _Placed(path, bundle, slot.env_var, district, year, note)


def _district_of(
    folders: tuple[str, ...], known: Collection[str], default: str | None, where: WhereGiven
) -> tuple[str | None, str]:
    """The district, or None and why there is none."""
    if known:
        found = next((name for name in folders if name in known), default)
        if found:
            return found, ""
        names = ", ".join(sorted(known))
        if folders:
            return None, (
                f"Its folder {folders[0]!r} is not named after one of the districts ({names}), "
                f"and no district was {where.district_given()}."
            )
        return None, (
            f"It is not in a district's folder ({names}), "
            f"and no district was {where.district_given()}."
        )
    if default or folders:
        return default or folders[0], ""
    return None, f"It is not in a district's folder, and no district was {where.district_given()}."


def _bundle_of(identity: FileIdentity, registry: Registry) -> tuple[Bundle | None, str]:
    if identity.problem:
        return None, identity.problem
    if identity.bundle is None:
        if identity.display_name:
            return None, (
                f"It looks like {identity.display_name}, which Runway does not list "
                f"({identity.confidence:.0%} sure)."
            )
        return None, (
            "No assessment's columns fit it well "
            f"(best match {identity.confidence:.0%}): it may not be a vendor export."
        )
    bundle = registry.get(identity.bundle)
    if bundle is None:
        return None, f"It looks like {identity.display_name}, which is not in the registry."
    return bundle, ""


def _year_of(
    identity: FileIdentity, default: str | None, where: WhereGiven
) -> tuple[str | None, str]:
    """The school year (end year) and a note, or None and why there is none."""
    years = identity.school_years
    spans = ", ".join(school_year_label(y) for y in years)
    if len(years) == 1:
        year = str(years[0])
        if default and default != year:
            return year, (
                f"The files' rows are of {school_year_label(year)}, so that is the year "
                f"({school_year_label(default)} was {where.year_given()})."
            )
        return year, ""
    if years and default and default.isdigit() and int(default) in years:
        return default, f"The files' rows span {spans}; the year is the one {where.year_given()}."
    if years:
        return None, (
            f"Its rows span several school years ({spans}): "
            f"choose one and give it {where.year}".rstrip()
            + "."
        )
    if default:
        return default, ""
    return None, f"Its rows name no school year: the year must be {where.year_given()}."


def _submissions(
    bundle: Bundle, members: list[_Placed], district: str, year: str
) -> list[tuple[list[_Placed], str]]:
    """The submissions one assessment's files make for one district and year: (files, "") for
    each, or (files, why not) for files that cannot be sent."""
    where = f"{bundle.display_name} in {district}, {school_year_label(year)}"
    by_slot: dict[str, list[_Placed]] = {}
    for one in members:
        by_slot.setdefault(one.env_var, []).append(one)
    if all(len(files) == 1 for files in by_slot.values()):
        return [_complete(bundle, members, where)]
    if len(by_slot) == 1:  # several exports of a one-file kind: each is a submission
        return [_complete(bundle, [one], where) for one in members]
    by_folder: dict[Path, list[_Placed]] = {}
    for one in members:
        by_folder.setdefault(one.path.parent, []).append(one)
    if len(by_folder) > 1:  # each folder holds one submission's files, perhaps
        return [
            s for files in by_folder.values() for s in _submissions(bundle, files, district, year)
        ]
    crowded = ", ".join(_slot_name(bundle, env) for env, files in by_slot.items() if len(files) > 1)
    return [
        (
            members,
            f"Several files for {crowded} of {where}: which go together is not clear. Put "
            "each submission's files in a folder of their own, or edit the plan.",
        )
    ]


def _slot_name(bundle: Bundle, env_var: str) -> str:
    slot = bundle.file(env_var)
    return f"“{slot.display_name if slot is not None else env_var}”"


def _complete(bundle: Bundle, files: list[_Placed], where: str) -> tuple[list[_Placed], str]:
    """``files`` as one submission, or why they cannot be one (a required slot has no file)."""
    slots = {one.env_var for one in files}
    lacking = [f"“{s.display_name}”" for s in bundle.required_files if s.env_var not in slots]
    if lacking:
        return files, f"{where} also needs its {', '.join(lacking)} file; none was found."
    return files, ""


def _item(bundle: Bundle, files: list[_Placed], district: str, year: str) -> PlanItem:
    # In the bundle's own slot order, as the Submit screen shows them.
    order = [slot.env_var for slot in bundle.input_files]
    by_slot = {one.env_var: one.path for one in sorted(files, key=lambda p: order.index(p.env_var))}
    # Every setting the person may give, empty until given; the plan's comments say which
    # must be filled in and with what.
    params = {p.env_var: "" for p in bundle.user_params}
    problems = validate_submission(bundle, by_slot, params)
    notes = [one.note for one in files if one.note]
    notes += [f"{TO_DO}{p.message} {p.next_step}" for p in problems if p.field.startswith("param:")]
    return PlanItem(bundle.path, district, year, by_slot, params, tuple(dict.fromkeys(notes)))
