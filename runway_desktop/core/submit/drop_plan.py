"""What to do with files dropped on the Submit screen, once their columns have been identified.

Qt-free, so every case can be tested without a window. The identification itself is the core's
(`bundles.file_identity.identify_file`, the rule the CLI's ``identify`` uses too); this module
only weighs its answers against the assessment the clerk chose and words the question to ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from runway_desktop.bundles.file_identity import FileIdentity
from runway_desktop.bundles.model import Bundle, Registry


class Action(Enum):
    # Nothing is known that a name-based drop would not do better: the drop behaves as before.
    AS_TODAY = "as_today"
    # The chosen assessment's files: each goes to the slot its columns fit, without asking.
    PLACE = "place"
    # One file dropped on a slot really is another slot's (same assessment): move it there.
    MOVE = "move"
    # The files are another assessment's: ask before switching.
    OFFER = "offer"
    # The files are of several assessments: place none, and offer to plan them as a batch.
    MIXED = "mixed"


@dataclass(frozen=True)
class DropPlan:
    action: Action
    # The assessment the files are for (PLACE, MOVE, OFFER).
    bundle: Bundle | None = None
    # Files whose columns name their slot, by env var; the rest are placed by name as before.
    by_slot: dict[str, Path] = field(default_factory=dict)
    others: list[Path] = field(default_factory=list)
    message: str = ""
    accept_text: str = ""
    decline_text: str = ""


def plan_drop(
    paths: Sequence[Path],
    identities: Mapping[Path, FileIdentity | None],
    chosen: Bundle | None,
    registry: Registry | None,
    *,
    target: str | None = None,
) -> DropPlan:
    """The plan for ``paths``. ``target`` is the slot a single file was dropped on (it holds the
    file already); None for a drop on the list or the form."""
    found = {p: b for p in paths if (b := _bundle_of(identities.get(p), registry)) is not None}
    bundles = list(dict.fromkeys(b.path for b in found.values()))
    if not bundles:
        return DropPlan(Action.AS_TODAY)
    if len(bundles) > 1:
        names = ", ".join(_name(registry, path) for path in bundles)
        message = (
            f"These files belong to different assessments ({names}), so they make several "
            "submissions. None of them was placed: plan them as a batch to check and send "
            "each one, or drop one assessment's files at a time."
        )
        return DropPlan(
            Action.MIXED,
            message=message,
            accept_text="&Plan them as a batch…",
            decline_text="&Dismiss",
        )
    bundle = next(iter(found.values()))
    by_slot, others = split_by_slot(paths, identities, bundle)
    if chosen is not None and chosen.path == bundle.path:
        if target is None:
            return DropPlan(Action.PLACE, bundle, by_slot, others)
        if target in by_slot or not by_slot:
            return DropPlan(Action.AS_TODAY)  # it fits the slot it was dropped on
        return DropPlan(Action.MOVE, bundle, by_slot, others)
    return DropPlan(
        Action.OFFER,
        bundle,
        by_slot,
        others,
        message=offer_text(paths, bundle, chosen, by_slot),
        accept_text=f"&Use {bundle.display_name}",
        decline_text="&No, keep my choice" if chosen is not None else "&No, I'll choose",
    )


def split_by_slot(
    paths: Sequence[Path], identities: Mapping[Path, FileIdentity | None], bundle: Bundle
) -> tuple[dict[str, Path], list[Path]]:
    """The files that name one slot of ``bundle`` each, and the rest (unidentified, another
    assessment's, or two files wanting one slot: those are left to the name-based placement,
    which says why it cannot place them)."""
    claims: dict[str, list[Path]] = {}
    others: list[Path] = []
    for path in paths:
        identity = identities.get(path)
        env_var = identity.env_var if identity is not None else None
        ours = identity is not None and identity.bundle == bundle.path
        if ours and env_var is not None and bundle.file(env_var) is not None:
            claims.setdefault(env_var, []).append(path)
        else:
            others.append(path)
    by_slot = {env: claimed[0] for env, claimed in claims.items() if len(claimed) == 1}
    others.extend(p for claimed in claims.values() if len(claimed) > 1 for p in claimed)
    others.sort(key=list(paths).index)  # messages read in the order the files were dropped
    return by_slot, others


def offer_text(
    paths: Sequence[Path],
    bundle: Bundle,
    chosen: Bundle | None,
    by_slot: Mapping[str, Path] | None = None,
) -> str:
    """ "SR.csv looks like a Star Assessments file: use Star Assessments?" and its variants,
    then where the files would go, when their columns say (so "use" has a visible outcome)."""
    name = bundle.display_name
    if len(paths) == 1:
        subject, kind = f"{paths[0].name} looks like", f"{_article(name)} {name} file"
    else:
        subject, kind = f"These {len(paths)} files look like", f"{name} files"
    if chosen is None:
        text = f"{subject} {kind}: use {name}?"
    else:
        text = f"{subject} {kind}, not {chosen.display_name}: switch to {name}?"
    slots = [bundle.file(env) for env in by_slot or {}]
    if len(paths) == 1 and len(slots) == 1 and slots[0] is not None and len(bundle.input_files) > 1:
        text += f" It goes in “{slots[0].display_name}”."
    elif len(paths) > 1 and len(slots) == len(paths):
        text += " Each goes in its own slot."
    return text


def _bundle_of(identity: FileIdentity | None, registry: Registry | None) -> Bundle | None:
    """The assessment the file was identified as, if the picker offers it."""
    if identity is None or identity.bundle is None or registry is None:
        return None
    return registry.get(identity.bundle)


def _name(registry: Registry | None, path: str) -> str:
    bundle = registry.get(path) if registry is not None else None
    return bundle.display_name if bundle is not None else path


def _article(name: str) -> str:
    # "an i-Ready file", "an ACT file", "a MAP Growth file": by the first letter's sound, near
    # enough for assessment names (acronyms starting with a vowel letter are read as letters).
    return "an" if name[:1].lower() in "aeio" else "a"
