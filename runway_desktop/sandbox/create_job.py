"""``POST /api/v1/jobs``: DTO validation and the handler's thirteen checks, in the server's order.

CONTRACT §4.2 is the source for every message text here; the first failing check wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runway_desktop.sandbox.config import ODS_KINDS, SandboxConfig
from runway_desktop.sandbox.nest import NestError
from runway_desktop.sandbox.registry import declared_files, declared_params
from runway_desktop.sandbox.tokens import VerifiedToken

SCHOOL_YEAR_MESSAGE = (
    'School year must be a 4-digit end year, e.g. "2026" for the 2025-2026 school year'
)
_FOUR_DIGITS = re.compile(r"[0-9]{4}")  # JS \d is ASCII-only; Python's is not


def roster_key(partner: str, tenant: str, end_year: str) -> str:
    return f"__rosters/{partner}/{tenant}/{end_year}/studentEducationOrganizationAssociations.jsonl"


@dataclass(frozen=True)
class ValidJobRequest:
    partner: str
    tenant: str
    bundle: str
    school_year: str
    files: dict[str, str]  # env var -> trimmed file name
    params: dict[str, Any]
    send_to_ods: bool
    year_kind: str
    bundle_entry: dict[str, Any]


def validate_dto(body: Any) -> tuple[dict[str, Any], list[str]]:
    """class-validator's messages for InitJobPayloadV1Dto, all of them, in property order."""
    if not isinstance(body, dict):
        body = {}
    messages: list[str] = []
    for name in ("partner", "tenant", "bundle"):
        value = body.get(name)
        if value is None or value == "":
            messages.append(f"{name} should not be empty")
        if not isinstance(value, str):
            messages.append(f"{name} must be a string")
    # @IsString() @IsNotEmpty() @Matches(...): class-validator reports the decorator closest
    # to the property first, so Matches, then IsNotEmpty, then IsString (CONTRACT §4.2).
    year = body.get("schoolYear")
    if not (isinstance(year, str) and _FOUR_DIGITS.fullmatch(year)):
        messages.append(SCHOOL_YEAR_MESSAGE)
    if year is None or year == "":
        messages.append("schoolYear should not be empty")
    if not isinstance(year, str):
        messages.append("schoolYear must be a string")
    files = body.get("files")
    if isinstance(files, list):  # class-transformer turns an array into {"0": …, "1": …}
        files = {str(i): v for i, v in enumerate(files)}
        body = {**body, "files": files}
    names_ok = isinstance(files, dict) and all(
        isinstance(v, str) and v.strip() for v in files.values()
    )
    if not names_ok:
        messages.append("File names must not be empty")
    if files is None or files == "":
        messages.append("files should not be empty")
    if not isinstance(files, dict):
        messages.append("files must be an object")
    params = body.get("params")
    if params is not None and not isinstance(params, dict | list):
        messages.append("params must be an object")
    return body, messages


def check_job_request(
    body: dict[str, Any],
    token: VerifiedToken,
    config: SandboxConfig,
    registry: dict[str, dict[str, Any]],
    roster_exists: Callable[[str], bool],
) -> ValidJobRequest:
    partner_code: str = body["partner"]
    tenant: str = body["tenant"]
    bundle_path: str = body["bundle"]
    year: str = body["schoolYear"]
    # 1
    if not token.client_id:
        raise NestError(403, "Token must include a client_id or azp claim")
    # 2
    if partner_code not in token.partners:
        raise NestError(403, f"Invalid partner code: {partner_code}")
    partner = config.partners.get(partner_code)
    # 3
    if partner is None or tenant not in partner.tenants:
        raise NestError(400, f"Invalid tenant. {partner_code}/{tenant} does not exist")
    # 4
    if bundle_path not in partner.bundles:
        raise NestError(400, f"Bundle not found or not enabled for partner: {bundle_path}")
    # 5
    if int(year) not in config.known_years:
        raise NestError(400, f"Invalid school year: {year}")
    # 6
    kind = partner.school_years.get(year)
    if kind is None or kind == "disabled":
        raise NestError(400, f"School year is not enabled: {year}")
    # 7a / 7b. Whether the year sends to an ODS is the partner's year config; whether there is
    # an ODS is the tenant's own (its ODS config for that year), never the partner's.
    send_to_ods = kind in ODS_KINDS
    if send_to_ods and not partner.has_ods(tenant, year):
        raise NestError(400, f"No ODS found for school year: {year}")
    roster_needed = not send_to_ods and kind != "no-ods-cross-year"
    if roster_needed and not roster_exists(roster_key(partner_code, tenant, year)):
        raise NestError(
            400,
            f"No roster file found and cross-year matching not enabled for school year: {year}",
        )
    # 8
    entry = registry.get(bundle_path)
    if entry is None:
        raise NestError(500, f"Bundle not found: {bundle_path}")
    params = body.get("params") or {}
    if isinstance(params, list):
        params = {str(i): v for i, v in enumerate(params)}
    files: dict[str, str] = body["files"]
    _check_params_and_files(entry, params, files)
    return ValidJobRequest(
        partner=partner_code,
        tenant=tenant,
        bundle=bundle_path,
        school_year=year,
        files={key: value.strip() for key, value in files.items()},
        params=params,
        send_to_ods=send_to_ods,
        year_kind=kind,
        bundle_entry=entry,
    )


def _check_params_and_files(
    entry: dict[str, Any], params: dict[str, Any], files: dict[str, str]
) -> None:
    declared = declared_params(entry)
    # 9: "" counts as present; API_YEAR is never demanded from API callers.
    missing = [
        p["env_var"]
        for p in declared
        if p.get("is_required") and p["env_var"] != "API_YEAR" and params.get(p["env_var"]) is None
    ]
    if missing:
        raise NestError(400, f"Missing required params: {', '.join(missing)}")
    # 10
    invalid = [
        p["env_var"]
        for p in declared
        if p.get("allowed_values")
        and p["env_var"] in params
        and params[p["env_var"]] not in p["allowed_values"]
    ]
    if invalid:
        raise NestError(400, f"Invalid param values: {', '.join(invalid)}")
    # 11
    declared_names = {p["env_var"] for p in declared}
    unexpected = [key for key in params if key not in declared_names]
    if unexpected:
        raise NestError(400, f"Unexpected params: {', '.join(unexpected)}")
    # 12
    file_specs = declared_files(entry)
    file_names = {f["env_var"] for f in file_specs}
    unexpected_files = [key for key in files if key not in file_names]
    if unexpected_files:
        raise NestError(400, f"Unexpected files: {', '.join(unexpected_files)}")
    # 13
    missing_files = [
        f["env_var"] for f in file_specs if f.get("is_required") and f["env_var"] not in files
    ]
    if missing_files:
        raise NestError(400, f"Missing required files: {', '.join(missing_files)}")
