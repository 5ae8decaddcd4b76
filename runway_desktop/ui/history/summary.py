"""The History screen's one-line summary above the list, in words (no widgets: the page sets
it on its label): how many submissions, how many shown, how many wait for Runway."""

from __future__ import annotations


def summary_text(*, total: int, shown: int, complete: bool, waiting: int, polling: bool) -> str:
    """The summary line, e.g. "3 of 12 submissions shown · 2 waiting for Runway (checking
    every minute)"; "" when there is nothing yet (the empty list explains itself)."""
    if total == 0:
        return ""
    parts = [f"{total} submission{'s' if total != 1 else ''} sent from this computer"]
    if shown != total:
        parts[0] = f"{shown} of {total} submissions shown"
    if not complete:
        parts[0] = f"The newest {total} submissions (reading the others…)"
    if waiting:
        how = "checking every minute" if polling else "connect to check"
        parts.append(f"{waiting} waiting for Runway ({how})")
    return " · ".join(parts)
