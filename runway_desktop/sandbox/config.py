"""The sandbox's world: partners, tenants, school years, enabled bundles and API clients.

Loaded from a TOML or JSON file, or the built-in default below, which covers every branch of
the contract's create-job checks (CONTRACT §4.2) so each can be reached by hand or by a test.

As on the real server, a school year's *configuration* (enabled, sent to an ODS or not, cross-year
matching) belongs to the partner, while *having an ODS* for a year belongs to each tenant (check
7a looks for the tenant's ODS config for that year). So ``school_years`` is per partner and
``ods`` per tenant and year.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runway_desktop.base.resources import resource_path

# How a partner's school year behaves at create-job time (check 6/7) and in the executor.
# Which tenants have an ODS for a year that sends to one is the partner's ``ods`` table; without
# one, every tenant has an ODS for its 'ods' and 'ods-cross-year' years and none for the others.
YEAR_KINDS = {
    "ods": "enabled, sends to the ODS (by default every tenant has one): one 'ods' output set",
    "ods-cross-year": "like 'ods', and cross-year matching puts unmatched students in a 2nd set",
    "no-ods-roster": "enabled, not sent to an ODS, a roster file exists: one 'non-ods' set",
    "no-ods-cross-year": "enabled, not sent to an ODS, no roster but cross-year matching is on",
    "ods-missing": "like 'ods', but by default no tenant has an ODS: 400 No ODS found",
    "no-roster": "enabled, not sent to an ODS, no roster, no cross-year matching: 400",
    "disabled": "the partner's school year is not enabled: 400 School year is not enabled",
}
# Kinds whose jobs send to the ODS (check 7a applies), and those giving tenants one by default.
ODS_KINDS = ("ods", "ods-cross-year", "ods-missing")
_ODS_BY_DEFAULT = ("ods", "ods-cross-year")
# Years that exist globally (the school_year table); a year outside it is "Invalid school year".
DEFAULT_KNOWN_YEARS = tuple(range(2020, 2031))
ALL_SCOPES = "create:jobs read:jobs read:jobs:output-files"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    client_secret: str
    scopes: str
    client_name: str | None = None
    # Which claim carries the client id: Keycloak puts it in "azp", Auth0 in "client_id";
    # "none" mints tokens POST /jobs must refuse (check 1).
    id_claim: str = "client_id"


@dataclass(frozen=True)
class Partner:
    code: str
    tenants: tuple[str, ...]
    school_years: Mapping[str, str]  # end year -> YEAR_KINDS key
    bundles: tuple[str, ...]  # registry paths enabled for this partner
    # tenant -> end years for which that tenant has an ODS (CONTRACT §4.2 check 7a)
    ods: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def has_ods(self, tenant: str, end_year: str) -> bool:
        return end_year in self.ods.get(tenant, ())


@dataclass(frozen=True)
class SandboxConfig:
    partners: Mapping[str, Partner]
    clients: tuple[ApiClient, ...]
    known_years: tuple[int, ...] = DEFAULT_KNOWN_YEARS
    audience: str | None = None  # default: the API server's own origin, like MY_URL
    token_lifetime_seconds: int = 300
    signing_key_file: Path | None = None
    api_enabled: bool = True
    executor_delay_seconds: float = 3.0
    # Time between a set's createdAt and its run being marked success (CONTRACT §5.5).
    executor_visibility_lag_seconds: float = 0.3
    faults: Mapping[str, Any] = field(default_factory=dict)

    def client(self, client_id: str) -> ApiClient | None:
        return next((c for c in self.clients if c.client_id == client_id), None)

    def seed(self) -> dict[str, Any]:
        return {
            code: {
                "tenants": list(p.tenants),
                "school_years": dict(p.school_years),
                "bundles": list(p.bundles),
                "ods": {tenant: list(years) for tenant, years in p.ods.items()},
            }
            for code, p in self.partners.items()
        }


def practice_bundles() -> list[str]:
    """Every bundle the app ships practice files for (resources/practice.json, made by
    tools/build_practice_samples.py): the practice client can try each one end to end."""
    data = json.loads(resource_path("practice.json").read_text(encoding="utf-8"))
    return sorted(data["bundles"])


# The bundles practised first: partner ea (and globex) have only these, so a bundle of the
# registry that is not enabled for the partner (check 4) is there to be tried too.
_FIRST_BUNDLES = (
    "assessments/PSAT_SAT",
    "assessments/STAR",
    "assessments/MAP_Growth",
    "assessments/FastBridge_CBMreading",
    "assessments/FastBridge_CBMmath",
)

DEFAULT_CONFIG_DATA: dict[str, Any] = {
    "token_lifetime_seconds": 300,
    "executor_delay_seconds": 3.0,
    "partners": {
        "acme": {
            "tenants": ["district-a", "district-b"],
            "school_years": {
                "2026": "ods",
                "2025": "no-ods-roster",
                "2024": "no-ods-cross-year",
                "2023": "ods-cross-year",
                "2027": "ods-missing",
                "2022": "no-roster",
                "2021": "disabled",
            },
            # Every practice bundle, and one enabled for the partner but absent from the
            # registry: POST /jobs answers 500.
            "bundles": [*practice_bundles(), "assessments/Retired_Assessment"],
            # Per tenant, as on the real server: for 2027 only district-b has its ODS, so
            # district-a gets "No ODS found" and district-b a job for the same year.
            "ods": {
                "district-a": ["2026", "2023"],
                "district-b": ["2026", "2023", "2027"],
            },
        },
        # A partner with fewer bundles: ACT & co. are "not enabled for partner" (check 4).
        "ea": {
            "tenants": ["tenant1"],
            "school_years": {"2026": "ods", "2025": "no-ods-roster"},
            "bundles": list(_FIRST_BUNDLES),
        },
        # A partner the ready client has no scope for: 403 on create, 404 elsewhere.
        "globex": {
            "tenants": ["globex-east"],
            "school_years": {"2026": "ods"},
            "bundles": list(_FIRST_BUNDLES),
        },
    },
    "clients": [
        {
            "client_id": "runway-desktop-sandbox",
            "client_secret": "sandbox-secret-not-for-production",
            "client_name": "Runway Desktop (sandbox)",
            "scopes": f"{ALL_SCOPES} partner:acme partner:ea",
        },
        {
            "client_id": "keycloak-style",
            "client_secret": "keycloak-style-secret",
            "scopes": f"{ALL_SCOPES} partner:acme",
            "id_claim": "azp",
        },
        {
            "client_id": "read-only",
            "client_secret": "read-only-secret",
            "scopes": "read:jobs read:jobs:output-files partner:acme",
        },
        {
            "client_id": "no-partner",
            "client_secret": "no-partner-secret",
            "scopes": ALL_SCOPES,
        },
        {
            "client_id": "anonymous-client",
            "client_secret": "anonymous-client-secret",
            "scopes": f"{ALL_SCOPES} partner:acme",
            "id_claim": "none",
        },
    ],
}


def _str_tuple(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _ods_table(
    code: str, raw: Any, tenants: tuple[str, ...], years: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    """``partners.<code>.ods``: tenant -> end years with an ODS. Absent, every tenant has an
    ODS for each year configured 'ods' or 'ods-cross-year' (older config files keep working)."""
    if raw is None:
        default = tuple(y for y, kind in years.items() if kind in _ODS_BY_DEFAULT)
        return {tenant: default for tenant in tenants}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"partners.{code}.ods must map tenants to lists of end years")
    table: dict[str, tuple[str, ...]] = {}
    for tenant, tenant_years in raw.items():
        if tenant not in tenants:
            raise ConfigError(f"partners.{code}.ods: {tenant!r} is not one of its tenants")
        listed = tuple(str(y) for y in _list(tenant_years, f"partners.{code}.ods.{tenant}"))
        for year in listed:
            if not (len(year) == 4 and year.isdigit()):
                raise ConfigError(f"partners.{code}.ods.{tenant}: {year!r} is not an end year")
        table[str(tenant)] = listed
    return table


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where} must be a list of end years")
    return value


def config_from_data(data: Mapping[str, Any], *, base_dir: Path | None = None) -> SandboxConfig:
    try:
        return _config_from_data(data, base_dir)
    except ConfigError:
        raise
    except KeyError as exc:  # a required entry is missing, e.g. clients[].client_secret
        raise ConfigError(f"missing setting {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:  # a value of the wrong shape
        raise ConfigError(f"a setting has the wrong type: {exc}") from exc


def _config_from_data(data: Mapping[str, Any], base_dir: Path | None) -> SandboxConfig:
    partners: dict[str, Partner] = {}
    for code, raw in (data.get("partners") or {}).items():
        years = {str(y): str(kind) for y, kind in (raw.get("school_years") or {}).items()}
        for year, kind in years.items():
            if kind not in YEAR_KINDS:
                raise ConfigError(
                    f"partners.{code}.school_years.{year}: unknown kind {kind!r} "
                    f"(one of {', '.join(YEAR_KINDS)})"
                )
            if not (len(year) == 4 and year.isdigit()):
                raise ConfigError(f"partners.{code}.school_years: {year!r} is not an end year")
        tenants = _str_tuple(raw.get("tenants", []), f"partners.{code}.tenants")
        partners[code] = Partner(
            code=code,
            tenants=tenants,
            school_years=years,
            bundles=_str_tuple(raw.get("bundles", []), f"partners.{code}.bundles"),
            ods=_ods_table(code, raw.get("ods"), tenants, years),
        )
    clients = []
    for raw in data.get("clients") or []:
        id_claim = raw.get("id_claim", "client_id")
        if id_claim not in ("client_id", "azp", "none"):
            raise ConfigError("clients[].id_claim must be client_id, azp or none")
        clients.append(
            ApiClient(
                client_id=str(raw["client_id"]),
                client_secret=str(raw["client_secret"]),
                scopes=str(raw.get("scopes", "")),
                client_name=raw.get("client_name"),
                id_claim=id_claim,
            )
        )
    if not clients:
        raise ConfigError("the sandbox needs at least one API client under 'clients'")
    key_file = data.get("signing_key_file")
    key_path = None
    if key_file:
        key_path = Path(key_file)
        if not key_path.is_absolute() and base_dir is not None:
            key_path = base_dir / key_path
    known = data.get("known_years")
    return SandboxConfig(
        partners=partners,
        clients=tuple(clients),
        known_years=tuple(int(y) for y in known) if known else DEFAULT_KNOWN_YEARS,
        audience=data.get("audience"),
        token_lifetime_seconds=int(data.get("token_lifetime_seconds", 300)),
        signing_key_file=key_path,
        api_enabled=bool(data.get("api_enabled", True)),
        executor_delay_seconds=float(data.get("executor_delay_seconds", 3.0)),
        executor_visibility_lag_seconds=float(data.get("executor_visibility_lag_seconds", 0.3)),
        faults=dict(data.get("faults") or {}),
    )


def default_config(**overrides: Any) -> SandboxConfig:
    return config_from_data({**DEFAULT_CONFIG_DATA, **overrides})


def load_config(path: Path) -> SandboxConfig:
    """Read a TOML (``.toml``) or JSON file; relative key paths are relative to the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return config_from_data(data, base_dir=path.parent)
