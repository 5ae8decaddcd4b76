"""Which dropped file goes in which slot of a bundle, judged by file names alone.

A clerk drops the three STAR exports at once; the vendor's names ("SR_SkillArea_v1_…") share
words with the slot names ("Skill area"), which is enough to place them. A wrong guess would
send a file under the wrong env var and fail the run an hour later, so a file is placed only
when the names leave no doubt; otherwise it stays out with a reason the clerk can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from runway_desktop.bundles.model import Bundle, InputFile

# Words every vendor export and slot name carries; they say nothing about which slot is meant.
COMMON_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "anonymised",
        "anonymized",
        "assessment",
        "copy",
        "csv",
        "data",
        "export",
        "file",
        "final",
        "for",
        "input",
        "of",
        "sample",
        "the",
        "txt",
        "v1",
        "v2",
    }
)

# Names for extensions a clerk is likely to try, with what to do instead.
_SAVE_AS_CSV = "Open it in Excel and use File › Save As › CSV."
_KNOWN_TYPES: dict[str, tuple[str, str]] = {
    "xlsx": ("an Excel workbook", _SAVE_AS_CSV),
    "xlsm": ("an Excel workbook", _SAVE_AS_CSV),
    "xls": ("an Excel workbook", _SAVE_AS_CSV),
    "ods": ("a spreadsheet", "Open it and save it as CSV."),
    "numbers": ("a Numbers spreadsheet", "Use File › Export To › CSV in Numbers."),
    "pdf": ("a PDF document", "Download the CSV export from the vendor's site instead."),
    "zip": ("a zip archive", "Unzip it first, then use the file inside."),
    "txt": ("a text file", "Check that you chose the right assessment and file."),
    "csv": ("a CSV file", "Check that you chose the right assessment and file."),
}

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CHUNK = re.compile(r"[A-Za-z]+")


@dataclass
class Assignment:
    """The outcome of placing several files: what went where, and why the rest did not."""

    assigned: dict[str, Path] = field(default_factory=dict)
    unassigned: list[Path] = field(default_factory=list)
    reasons: dict[Path, str] = field(default_factory=dict)

    def reason(self, path: Path) -> str:
        return self.reasons.get(path, "")

    def _refuse(self, path: Path, reason: str) -> None:
        self.unassigned.append(path)
        self.reasons[path] = reason


def type_names(file_type: tuple[str, ...], plural: bool = False) -> str:
    """ "CSV file", "CSV or TXT file" (or "…files"), for labels and messages."""
    noun = "files" if plural else "file"
    if not file_type:
        return f"any {noun}" if plural else "Any file"
    names = [ext.upper() for ext in file_type]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
    return f"{listed} {noun}"


def wrong_type_reason(file_type: tuple[str, ...], path: Path, taker: str = "This slot") -> str:
    """Why ``path`` does not fit, plus what to do, e.g. for an .xlsx on a CSV slot."""
    extension = path.suffix.lstrip(".").lower()
    what, advice = _KNOWN_TYPES.get(
        extension,
        (
            f"a .{extension} file" if extension else "a file without a type ending",
            f"Choose the {type_names(file_type)} the vendor sent.",
        ),
    )
    return f"{taker} takes {type_names(file_type, plural=True)}; {path.name} is {what}. {advice}"


def name_words(text: str) -> frozenset[str]:
    """The distinctive words of a file or slot name, lower case.

    Splits on anything that is not a letter (so ``_``, ``-``, spaces and digits) and on camelCase.
    A chunk is kept whole too, because vendors glue words ("cbmreading") that a slot name spells
    "CBMreading", which camelCase splitting cannot take apart the same way.
    """
    words: set[str] = set()
    for chunk in _CHUNK.findall(text):
        words.add(chunk.lower())
        words.update(part.lower() for part in _CAMEL_BOUNDARY.split(chunk))
    return frozenset(_singular(w) for w in words if len(w) > 1 and w not in COMMON_WORDS)


def slot_words(slot: InputFile) -> frozenset[str]:
    return name_words(slot.display_name) | name_words(slot.env_var)


def assign_files(
    bundle: Bundle, paths: Iterable[Path], occupied: set[str] | None = None
) -> Assignment:
    """Place ``paths`` in the slots of ``bundle``; slots named in ``occupied`` already have a file.

    A file goes to the slot whose name shares the most distinctive words with it. A file with no
    such word goes to the one empty required slot, if there is exactly one and no other file is
    left over. Two files wanting one slot, or one file fitting two slots equally, stay unplaced.
    """
    taken = set(occupied or ())
    result = Assignment()
    files = list(dict.fromkeys(paths))
    candidates: list[Path] = []
    for path in files:
        if any(slot.accepts_extension(path.suffix) for slot in bundle.input_files):
            candidates.append(path)
        else:
            types = tuple(dict.fromkeys(t for s in bundle.input_files for t in s.file_type))
            result._refuse(path, wrong_type_reason(types, path, taker="This assessment"))

    wanted: dict[str, list[Path]] = {}
    leftovers: list[Path] = []
    for path in candidates:
        best, reason = _best_slot(bundle, path)
        if reason:
            result._refuse(path, reason)
        elif best is None:
            leftovers.append(path)
        elif best.env_var in taken:
            result._refuse(
                path,
                f"It looks like “{best.display_name}”, which already has a file. "
                "Remove that file first, or drop this one on the slot itself.",
            )
        else:
            wanted.setdefault(best.env_var, []).append(path)

    for env_var, claimants in wanted.items():
        if len(claimants) == 1:
            result.assigned[env_var] = claimants[0]
            continue
        slot_name = _display_name(bundle, env_var)
        for path in claimants:
            others = ", ".join(p.name for p in claimants if p != path)
            result._refuse(
                path,
                f"{others} also looks like “{slot_name}”. Drop the right one on that slot.",
            )

    _place_leftovers(bundle, leftovers, taken | set(result.assigned), result)
    # Keep the caller's order, so messages read in the order the files were dropped.
    result.unassigned.sort(key=files.index)
    return result


def _best_slot(bundle: Bundle, path: Path) -> tuple[InputFile | None, str]:
    """The one slot that shares the most words with ``path``; a reason instead when tied."""
    words = name_words(path.stem)
    scored = [
        (len(words & slot_words(slot)), slot)
        for slot in bundle.input_files
        if slot.accepts_extension(path.suffix)
    ]
    top = max((score for score, _ in scored), default=0)
    if top == 0:
        return None, ""
    best = [slot for score, slot in scored if score == top]
    if len(best) > 1:
        names = " and ".join(f"“{slot.display_name}”" for slot in best)
        return None, f"Its name fits {names} equally well. Drop it on the right slot."
    return best[0], ""


def _place_leftovers(
    bundle: Bundle, leftovers: list[Path], filled: set[str], result: Assignment
) -> None:
    if not leftovers:
        return
    empty_required = [
        slot for slot in bundle.input_files if slot.is_required and slot.env_var not in filled
    ]
    if len(leftovers) == 1 and len(empty_required) == 1:
        slot = empty_required[0]
        if slot.accepts_extension(leftovers[0].suffix):
            result.assigned[slot.env_var] = leftovers[0]
            return
    if not [slot for slot in bundle.input_files if slot.env_var not in filled]:
        reason = "Every slot already has a file. Remove one first, or drop this file on a slot."
        for path in leftovers:
            result._refuse(path, reason)
        return
    if len(leftovers) > 1 and len(empty_required) == 1 and len(bundle.input_files) == 1:
        names = ", ".join(p.name for p in leftovers)
        reason = f"“{empty_required[0].display_name}” takes one file, and {names} were dropped."
    else:
        reason = "Its name does not say which slot it belongs to. Drop it on the right slot."
    for path in leftovers:
        result._refuse(path, reason)


def _display_name(bundle: Bundle, env_var: str) -> str:
    slot = bundle.file(env_var)
    return slot.display_name if slot else env_var


def _singular(word: str) -> str:
    # "Standards" in a file name and "standard" in a slot name mean the same thing.
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
