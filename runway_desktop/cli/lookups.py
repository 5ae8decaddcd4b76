"""What a command-line argument names, checked by one rule for every command that takes it.

``--bundle`` is a registry path (``assessments/STAR``), exact and case-sensitive as Runway
compares it (CONTRACT §4.2). People type ``STAR``; ``submit`` and ``outputs list`` both answer
"did you mean assessments/STAR" from the same registry search, instead of one refusing and the
other listing "no sets" for a path no set can ever carry.
"""

from __future__ import annotations

from runway_desktop.bundles.model import Bundle, Registry
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.cli.output import CommandFailure, usage_error

MAX_SUGGESTIONS = 5


def suggestions(registry: Registry, path: str) -> list[str]:
    """Registry paths the person probably meant: the same last segment in another folder or
    case first (``STAR``, ``assessments/star``), then anything the registry search finds."""
    name = path.rsplit("/", 1)[-1].strip()
    if not name:
        return []
    same_name = [
        b.path for b in registry if b.path.rsplit("/", 1)[-1].casefold() == name.casefold()
    ]
    found = [b.path for b in registry.search(name) if b.path not in same_name]
    return [*same_name, *found][:MAX_SUGGESTIONS]


def unknown_bundle(registry: Registry, path: str) -> CommandFailure | None:
    """``None`` when ``path`` is a bundle of the registry, else the usage error that says so
    and what was probably meant."""
    if registry.get(path) is not None:
        return None
    close = suggestions(registry, path)
    hint = f"Did you mean {', '.join(close)}?" if close else "Check the assessment's registry path."
    return usage_error(f"There is no assessment {path!r} in the bundle registry.", hint)


def find_bundle(registry: Registry, path: str) -> Bundle:
    """The bundle ``--bundle`` names, or a usage error with "did you mean"."""
    bundle = registry.get(path)
    if bundle is None:
        raise unknown_bundle(registry, path) or usage_error(f"No assessment {path!r}.")
    return bundle


def bundle_filter(registry: Registry, path: str | None) -> str | None:
    """``outputs list --bundle``: a path the registry lacks but resembles is a typo (usage
    error, "did you mean"); one it does not resemble at all is passed on, since Runway may have
    assessments this copy of the registry does not (an older copy, a retired bundle)."""
    if path is None or registry.get(path) is not None or not suggestions(registry, path):
        return path
    raise unknown_bundle(registry, path) or usage_error(f"No assessment {path!r}.")


def school_year_argument(bundle: Bundle, text: str, option: str = "--year") -> str:
    """``--year`` checked by the submission's own school-year rule before anything runs, so a
    bad one is a usage error naming the expected form, not a failed "Checking files" step."""
    problems = [
        p for p in validate_submission(bundle, {}, {}, school_year=text) if p.field == "school_year"
    ]
    if problems:
        first = problems[0]
        raise usage_error(f"{option} {text!r}: {first.message}", first.next_step)
    return text
