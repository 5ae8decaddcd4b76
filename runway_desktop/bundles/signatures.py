"""The content-signature index of every bundle's input files, and the column keys it is built on.

`tools/build_signature_index.py` derives `resources/signatures.json` from the public bundle
repository (the app never reads that repository itself). This module only loads it: typed,
frozen, Qt-free, no I/O until `load_index` is called.

Column names are compared through two keys, both used by the build script and at run time so
the two can never drift apart:

* `column_key` — what a vendor's export may vary without meaning another column: case, BOM,
  quotes, spaces, underscores and other punctuation ("Student ID", "student_id", "StudentID").
* `column_shape` — the key with season words and digit runs folded, so that "Fall Early Math
  Composite Score" and "Winter Early Math Composite Score", or "ELALev1".."ELALev9", are one
  entry. The index stores shapes, which keeps it small and makes a district's export with other
  seasons or passage counts still look like the sample.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from runway_desktop.base.resources import resource_path

INDEX_FORMAT = 1

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
_WORD = re.compile(r"[0-9a-z]+")
_SEASONS = frozenset({"fall", "winter", "spring", "summer", "boy", "moy", "eoy"})
# Columns pandas, Excel or a vendor's exporter invent for an unnamed column ("Unnamed: 15",
# "Column1"); they say nothing about the file, so they are left out everywhere.
_FILLER = re.compile(r"(unnamed\d*|column\d+|blank\d*|filler\d*|)")


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().strip("\"'").strip()
    return _WORD.findall(_CAMEL.sub(" ", text).casefold())


# Cached: a header is normalised once per slot it is compared with, and names recur across files.
@lru_cache(maxsize=65536)
def column_key(name: str) -> str:
    """The name as vendors vary it without meaning another column; "" for a filler column."""
    key = "".join(_words(name))
    return "" if _FILLER.fullmatch(key) else key


@lru_cache(maxsize=65536)
def column_shape(name: str) -> str:
    """`column_key` with seasons and digit runs folded ("~earlymathcompositescore")."""
    if not column_key(name):
        return ""
    words = ["~" if w in _SEASONS else re.sub(r"\d+", "#", w) for w in _words(name)]
    return "".join(words)


class SignatureIndexError(Exception):
    """The index file is missing, unreadable or not in the format this version understands."""


@dataclass(frozen=True)
class SampleLayout:
    """One sample file the bundle authors ship for a slot: how it is written and its columns."""

    file: str
    delimiter: str
    encoding: str
    header_row: int
    column_count: int
    # Headerless fixed-width exports (CogAT, PreACT, STAAR .txt) are known by record length.
    record_length: int | None
    shapes: frozenset[str]


@dataclass(frozen=True)
class DateColumn:
    name: str
    formats: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SlotSignature:
    """What one input slot (env var) of a bundle reads."""

    bundle: str
    env_var: str
    display_name: str
    is_required: bool
    file_types: tuple[str, ...]
    used: tuple[str, ...]
    required: tuple[str, ...]
    student_id_columns: tuple[str, ...]
    student_id_required: bool
    date_columns: tuple[DateColumn, ...]
    year_columns: tuple[str, ...]
    layouts: tuple[SampleLayout, ...]

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        return frozenset().union(*self.match_sets)

    @cached_property
    def match_sets(self) -> tuple[frozenset[str], ...]:
        """The shape sets a header is compared with: each sample, or the used columns if none."""
        with_header = [lay.shapes for lay in self.layouts if lay.record_length is None]
        if with_header:
            return tuple(with_header)
        used = frozenset(column_shape(name) for name in self.used) - {""}
        return (used,) if used else ()

    @property
    def record_lengths(self) -> frozenset[int]:
        return frozenset(lay.record_length for lay in self.layouts if lay.record_length)


@dataclass(frozen=True, eq=False)
class BundleSignature:
    path: str
    display_name: str
    # Bundles without `_metadata.yaml` are not in Runway's registry and cannot be sent; they are
    # indexed anyway so a clerk holding, say, an IDEL export is told what it is.
    in_registry: bool
    slots: Mapping[str, SlotSignature]


@dataclass(frozen=True, eq=False)
class SignatureIndex:
    source_repository: str
    source_commit: str
    bundles: Mapping[str, BundleSignature]
    # Inverse document frequency of each shape over all slots: a column every vendor has
    # (Grade, Gender) weighs little, one only MAP Growth has weighs a lot.
    weights: Mapping[str, float] = field(repr=False)
    unknown_weight: float = field(repr=False)

    def bundle(self, path: str) -> BundleSignature | None:
        return self.bundles.get(path)

    def slot(self, bundle: str, env_var: str) -> SlotSignature | None:
        found = self.bundles.get(bundle)
        return found.slots.get(env_var) if found else None

    def iter_slots(self, include_unlisted: bool = True) -> Iterator[SlotSignature]:
        for path in sorted(self.bundles):
            bundle = self.bundles[path]
            if bundle.in_registry or include_unlisted:
                yield from (bundle.slots[env] for env in sorted(bundle.slots))

    def weight(self, shape: str) -> float:
        return self.weights.get(shape, self.unknown_weight)


def default_index_path() -> Path:
    """Where the index ships: `signatures.json` in the app's resources (a checkout, a wheel
    or a frozen app alike)."""
    return resource_path("signatures.json")


@lru_cache(maxsize=1)
def shipped_index() -> SignatureIndex:
    """The index the app ships, loaded once per process (a preflight worker keeps it)."""
    return load_index(default_index_path())


def load_index(path: Path) -> SignatureIndex:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SignatureIndexError(f"cannot read the signature index {path}: {exc}") from exc
    return parse_index(data)


def parse_index(data: Any) -> SignatureIndex:
    """Build the typed index from the decoded JSON; raises SignatureIndexError if malformed."""
    try:
        if data["format"] != INDEX_FORMAT:
            raise SignatureIndexError(f"signature index format {data['format']!r} is not known")
        shapes: list[str] = data["shapes"]
        bundles = {path: _parse_bundle(path, raw, shapes) for path, raw in data["bundles"].items()}
        source = data["source"]
        repository, commit = str(source["repository"]), str(source["commit"])
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise SignatureIndexError(f"the signature index is malformed: {exc!r}") from exc
    weights, unknown = _idf(bundles)
    return SignatureIndex(repository, commit, bundles, weights, unknown)


def _parse_bundle(path: str, raw: dict[str, Any], shapes: list[str]) -> BundleSignature:
    slots = {env: _parse_slot(path, env, slot, shapes) for env, slot in raw["slots"].items()}
    return BundleSignature(path, str(raw["display_name"]), bool(raw["in_registry"]), slots)


def _parse_slot(bundle: str, env: str, raw: dict[str, Any], shapes: list[str]) -> SlotSignature:
    layouts = tuple(
        SampleLayout(
            file=str(s["file"]),
            delimiter=str(s["delimiter"]),
            encoding=str(s["encoding"]),
            header_row=int(s["header_row"]),
            column_count=int(s["columns"]),
            record_length=None if s["record_length"] is None else int(s["record_length"]),
            shapes=frozenset(shapes[i] for i in s["shapes"]),
        )
        for s in raw["samples"]
    )
    return SlotSignature(
        bundle=bundle,
        env_var=env,
        display_name=str(raw["display_name"]),
        is_required=bool(raw["is_required"]),
        file_types=tuple(raw["file_types"]),
        used=tuple(raw["used"]),
        required=tuple(raw["required"]),
        student_id_columns=tuple(raw["student_id_columns"]),
        student_id_required=bool(raw["student_id_required"]),
        date_columns=tuple(DateColumn(n, tuple(f)) for n, f in raw["date_columns"].items()),
        year_columns=tuple(raw["year_columns"]),
        layouts=layouts,
    )


def _idf(bundles: Mapping[str, BundleSignature]) -> tuple[dict[str, float], float]:
    counts: dict[str, int] = {}
    total = 0
    for bundle in bundles.values():
        for slot in bundle.slots.values():
            total += 1
            for shape in slot.vocabulary:
                counts[shape] = counts.get(shape, 0) + 1
    weights = {shape: math.log((total + 1) / (n + 0.5)) for shape, n in counts.items()}
    # A column no bundle has weighs like the rarest known one: it counts against a match as
    # much as a distinctive column would count for it, no more.
    return weights, math.log((total + 1) / 1.5)
