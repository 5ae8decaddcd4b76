"""The bundle registry as typed values (BUNDLES.md §2), parsed leniently from the real data.

The registry is a verbatim copy of hand-written YAML, so it has quirks: ``input_params`` may be
absent, ``null`` or ``[]``; ``allowed_values`` may be absent or empty (both mean free text); keys
we do not know appear; strings can be odd. Those are tolerated. What is refused is a file whose
*shape* is wrong (not an object with an ``assessments`` list of bundle objects that each have a
``path``, a ``display_name`` and at least one input file), because a form cannot be built from it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Never asked from the user and never sent: the server sets it from the school year (CONTRACT §4.2).
API_YEAR = "API_YEAR"


class RegistryFormatError(ValueError):
    """The registry file is not usable; the message says why in plain words."""


@dataclass(frozen=True)
class InputFile:
    """One file slot of a bundle (``input_files[]``)."""

    display_name: str
    env_var: str
    is_required: bool
    # Extensions without the dot, lower case ("csv", "txt"). Empty means any file is accepted.
    file_type: tuple[str, ...]
    # The bundle the slot belongs to, so preflight can judge a file's columns for it; "" for a
    # slot built by hand, whose files are then checked for their form only.
    bundle_path: str = ""

    def accepts_extension(self, suffix: str) -> bool:
        """Whether a file ending in ``suffix`` (".CSV", "csv", "") fits this slot."""
        if not self.file_type:
            return True
        return suffix.lstrip(".").lower() in self.file_type

    @property
    def accepted_types_text(self) -> str:
        """ "a .csv file" / "a .csv or .txt file", for messages."""
        if not self.file_type:
            return "any file"
        names = [f".{ext}" for ext in self.file_type]
        if len(names) == 1:
            return f"a {names[0]} file"
        return "a " + ", ".join(names[:-1]) + f" or {names[-1]} file"


@dataclass(frozen=True)
class InputParam:
    """One parameter of a bundle (``input_params[]``)."""

    display_name: str
    env_var: str
    is_required: bool
    # The only values the server accepts, or None for free text (absent or empty in the registry).
    allowed_values: tuple[str, ...] | None

    @property
    def is_choice(self) -> bool:
        return self.allowed_values is not None


@dataclass(frozen=True)
class Bundle:
    """One assessment bundle; ``path`` is the value sent as ``bundle`` to ``POST /jobs``."""

    display_name: str
    path: str
    input_files: tuple[InputFile, ...]
    input_params: tuple[InputParam, ...]
    # The registry entry as published, for fields the app does not model (report_resources…).
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def user_params(self) -> tuple[InputParam, ...]:
        """The params a user fills in: all declared ones except ``API_YEAR``."""
        return tuple(p for p in self.input_params if p.env_var != API_YEAR)

    @property
    def required_files(self) -> tuple[InputFile, ...]:
        return tuple(f for f in self.input_files if f.is_required)

    def file(self, env_var: str) -> InputFile | None:
        return next((f for f in self.input_files if f.env_var == env_var), None)

    def param(self, env_var: str) -> InputParam | None:
        return next((p for p in self.input_params if p.env_var == env_var), None)


class Registry:
    """The bundles a client can offer, looked up the way the server does (first exact ``path``)."""

    def __init__(self, bundles: Iterable[Bundle]) -> None:
        self._bundles = tuple(bundles)
        self._by_path: dict[str, Bundle] = {}
        for bundle in self._bundles:
            # The server takes the first entry with a matching path; do the same.
            self._by_path.setdefault(bundle.path, bundle)

    def __len__(self) -> int:
        return len(self._bundles)

    def __iter__(self) -> Iterator[Bundle]:
        return iter(self.all())

    def get(self, path: str) -> Bundle | None:
        return self._by_path.get(path)

    def all(self) -> list[Bundle]:
        """Every bundle, sorted by display name like Runway's web dropdown."""
        return sorted(self._bundles, key=lambda b: (b.display_name.casefold(), b.path))

    def search(self, text: str) -> list[Bundle]:
        """Bundles whose display name or path contains every word of ``text`` (any case)."""
        words = text.casefold().split()
        return [
            bundle
            for bundle in self.all()
            if all(
                word in bundle.display_name.casefold() or word in bundle.path.casefold()
                for word in words
            )
        ]


def parse_registry_bytes(body: bytes) -> Registry:
    """Parse registry.json as downloaded or shipped; raises RegistryFormatError."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise RegistryFormatError("The assessment list is not readable text.") from exc
    except json.JSONDecodeError as exc:
        raise RegistryFormatError(
            f"The assessment list is not valid JSON (line {exc.lineno}, column {exc.colno})."
        ) from exc
    return parse_registry(data)


def parse_registry(data: object) -> Registry:
    """Build a Registry from the decoded JSON; raises RegistryFormatError on a broken shape."""
    if not isinstance(data, dict):
        raise RegistryFormatError("The assessment list is not a JSON object.")
    entries = data.get("assessments")
    if not isinstance(entries, list):
        raise RegistryFormatError('The assessment list has no "assessments" list.')
    if not entries:
        raise RegistryFormatError("The assessment list is empty.")
    return Registry(_parse_bundle(entry, index) for index, entry in enumerate(entries))


def _parse_bundle(entry: object, index: int) -> Bundle:
    where = f"assessment #{index + 1}"
    if not isinstance(entry, dict):
        raise RegistryFormatError(f"In the assessment list, {where} is not an object.")
    path = _required_text(entry, "path", where)
    where = f"assessment {path!r}"
    display_name = _required_text(entry, "display_name", where)

    raw_files = entry.get("input_files")
    if not isinstance(raw_files, list) or not raw_files:
        raise RegistryFormatError(f"In the assessment list, {where} declares no input files.")
    input_files = tuple(_parse_input_file(item, where, path) for item in raw_files)

    raw_params = entry.get("input_params")
    # Runway treats absent, null and [] alike: no params (BUNDLES.md §2).
    if raw_params is None:
        raw_params = []
    if not isinstance(raw_params, list):
        raise RegistryFormatError(f"In the assessment list, {where} has a broken params list.")
    input_params = tuple(_parse_input_param(item, where) for item in raw_params)

    return Bundle(
        display_name=display_name,
        path=path,
        input_files=input_files,
        input_params=input_params,
        raw=copy.deepcopy(entry),
    )


def _parse_input_file(item: object, where: str, bundle_path: str) -> InputFile:
    if not isinstance(item, dict):
        raise RegistryFormatError(f"In the assessment list, {where} has a broken file entry.")
    env_var = _required_text(item, "env_var", f"a file of {where}")
    raw_types = item.get("file_type")
    if isinstance(raw_types, str):
        raw_types = [raw_types]
    types = raw_types if isinstance(raw_types, list) else []
    file_type = tuple(
        dict.fromkeys(t.strip().lstrip(".").lower() for t in types if isinstance(t, str) and t)
    )
    return InputFile(
        display_name=_optional_text(item, "display_name") or env_var,
        env_var=env_var,
        is_required=_truthy(item.get("is_required")),
        file_type=tuple(t for t in file_type if t),
        bundle_path=bundle_path,
    )


def _parse_input_param(item: object, where: str) -> InputParam:
    if not isinstance(item, dict):
        raise RegistryFormatError(f"In the assessment list, {where} has a broken param entry.")
    env_var = _required_text(item, "env_var", f"a param of {where}")
    raw_allowed = item.get("allowed_values")
    allowed: tuple[str, ...] | None = None
    if isinstance(raw_allowed, list) and raw_allowed:
        # Values are compared verbatim by the server, so keep spaces and "/" exactly.
        allowed = tuple(v if isinstance(v, str) else json.dumps(v) for v in raw_allowed)
    return InputParam(
        display_name=_optional_text(item, "display_name") or env_var,
        env_var=env_var,
        is_required=_truthy(item.get("is_required")),
        allowed_values=allowed,
    )


def _required_text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryFormatError(f'In the assessment list, {where} has no "{key}".')
    # Keys are compared exactly by the server, so keep them as published.
    return value


def _optional_text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def _truthy(value: object) -> bool:
    # YAML authors may write "true"/"yes" as strings; anything else follows Python truthiness.
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "y"}
    return bool(value)
