"""What a Runway client's token allows, in plain words for the person setting up the connection.

Runway decides everything from the token's ``scope`` claim (CONTRACT §3.3/§3.4): one resource
scope per kind of work, and one ``partner:<code>`` scope per partner. The IT person cannot change
scopes themselves, so every gap is reported with what stops working and who can fix it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CREATE_JOBS = "create:jobs"
READ_JOBS = "read:jobs"
READ_OUTPUT_FILES = "read:jobs:output-files"

ASK_ADMIN = "Ask your Runway administrator to add it to this client."

# Resource scope -> what stops working without it (in the order people meet the features).
RESOURCE_SCOPES: tuple[tuple[str, str], ...] = (
    (CREATE_JOBS, "sending files will not work"),
    (READ_JOBS, "seeing what Runway made of your files will not work"),
    (READ_OUTPUT_FILES, "downloading results will not work"),
)

LineKind = Literal["ok", "missing"]


@dataclass(frozen=True)
class PermissionLine:
    kind: LineKind
    text: str


@dataclass(frozen=True)
class PermissionSummary:
    """The outcome of comparing a token's scopes with what Runway Desktop needs."""

    partners: tuple[str, ...]
    missing_scopes: tuple[str, ...]
    lines: tuple[PermissionLine, ...]

    @property
    def can_send(self) -> bool:
        return CREATE_JOBS not in self.missing_scopes and bool(self.partners)

    @property
    def complete(self) -> bool:
        """Everything the app does will work (for at least one partner)."""
        return not self.missing_scopes and bool(self.partners)

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def summarize_permissions(
    granted_scopes: Sequence[str], partners: Sequence[str]
) -> PermissionSummary:
    """Lines like "Can send files for: acme, ea" and "Missing: read:jobs — …".

    ``partners`` should be Runway's own answer to ``POST /token/verify``; when verify cannot be
    called (a client without ``create:jobs`` gets 403 there) pass the token's partner codes
    (``TokenClaims.partner_codes``) instead.
    """
    scopes = set(granted_scopes)
    partner_codes = tuple(dict.fromkeys(p for p in partners if p))
    missing = tuple(scope for scope, _ in RESOURCE_SCOPES if scope not in scopes)
    lines: list[PermissionLine] = []
    partner_list = ", ".join(partner_codes)

    if not partner_codes:
        lines.append(
            PermissionLine(
                "missing",
                "No partners: this client has no partner:<code> scope, so it cannot send or "
                "fetch anything. Ask your Runway administrator to add a partner scope for each "
                "partner you work with.",
            )
        )
    elif CREATE_JOBS in scopes:
        lines.append(PermissionLine("ok", f"Can send files for: {partner_list}"))
    else:
        lines.append(
            PermissionLine(
                "missing",
                f"This client cannot send files to Runway: it lacks the {CREATE_JOBS} scope. "
                f"{ASK_ADMIN}",
            )
        )

    if partner_codes and READ_JOBS in scopes:
        lines.append(PermissionLine("ok", f"Can see processed output for: {partner_list}"))
    if partner_codes and READ_OUTPUT_FILES in scopes:
        lines.append(PermissionLine("ok", f"Can download results for: {partner_list}"))

    for scope, consequence in RESOURCE_SCOPES:
        # With partners, a missing create:jobs already has its own line above.
        if scope in missing and not (scope == CREATE_JOBS and partner_codes):
            lines.append(
                PermissionLine("missing", f"Missing: {scope} — {consequence}. {ASK_ADMIN}")
            )
    return PermissionSummary(partners=partner_codes, missing_scopes=missing, lines=tuple(lines))
