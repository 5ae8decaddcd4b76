"""The core's one connection test and its scope rule, against the real sandbox over HTTP.

Both front ends follow these: the connection dialog shows ``check.state``, ``profile test``
exits by it, and the submission pipeline asks ``send_scope_problem`` before creating a job.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runway_desktop.api.auth import TokenClaims, decode_claims
from runway_desktop.api.errors import ErrorCode
from runway_desktop.core.connection_check import (
    NO_PARTNER,
    ConnectionCheck,
    check_connection,
    send_scope_problem,
)
from runway_desktop.sandbox.server import Sandbox
from runway_desktop.settings.profiles import Profile

SECRETS = {
    "runway-desktop-sandbox": "sandbox-secret-not-for-production",
    "read-only": "read-only-secret",
    "no-partner": "no-partner-secret",
}


async def run_check(sandbox: Sandbox, client_id: str) -> ConnectionCheck:
    data: dict[str, Any] = {
        **sandbox.profile,
        "client_id": client_id,
        "client_secret": SECRETS[client_id],
        "scopes": "",  # the client's own default scopes
    }
    profile, secret = Profile.from_sandbox_json(data, name=client_id)
    assert secret is not None
    async with httpx.AsyncClient() as http:
        return await check_connection(http, profile, secret)


@pytest.mark.anyio
async def test_a_client_with_no_partner_scope_fails_the_test(sandbox: Sandbox) -> None:
    check = await run_check(sandbox, "no-partner")
    assert check.error is None  # signing in worked ...
    assert (check.state, check.ok, check.usable) == ("error", False, False)  # ... but no pass
    assert check.headline == NO_PARTNER
    assert "partner:<code>" in check.next_step and "administrator" in check.next_step


@pytest.mark.anyio
async def test_a_read_only_client_passes_with_a_warning(sandbox: Sandbox) -> None:
    check = await run_check(sandbox, "read-only")
    assert (check.state, check.usable) == ("warning", True)
    assert check.summary is not None and check.summary.partners == ("acme",)
    assert "create:jobs" in check.summary.missing_scopes


@pytest.mark.anyio
async def test_the_full_client_passes(sandbox: Sandbox) -> None:
    check = await run_check(sandbox, "runway-desktop-sandbox")
    assert (check.state, check.usable, check.verified_by_runway) == ("ok", True, True)


def test_a_read_only_token_is_refused_before_sending(sandbox: Sandbox) -> None:
    # The read-only client's own token, as the sandbox's identity provider signs it.
    refusal = send_scope_problem(decode_claims(sandbox.mint_token("read-only")), "read-only")
    assert refusal is not None and refusal.code is ErrorCode.INSUFFICIENT_SCOPES
    assert "create:jobs" in refusal.message and refusal.status is None
    assert "add the create:jobs scope to the client read-only" in refusal.next_step


@pytest.mark.parametrize(
    "raw",
    [
        {"scope": "create:jobs partner:acme"},
        {"scope": "create:jobs"},  # the partner is Runway's to refuse, with its own words
        {},  # an opaque token: nothing readable, Runway decides
        {"scope": ["create:jobs"]},  # not a string: Runway answers "Token missing scope claim"
    ],
)
def test_tokens_the_rule_leaves_to_runway(raw: dict[str, Any]) -> None:
    assert send_scope_problem(TokenClaims(raw), "c") is None
    assert send_scope_problem(None, "c") is None
