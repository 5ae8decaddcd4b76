"""``RunwayHook``: an Airflow connection read as a Runway connection.

The connection (default id ``runway_default``): host = the API base URL, login = the client
id, password = the client secret, extra = JSON with ``token_url`` (required), ``token_style``
("form", Keycloak-style, or "json", Auth0-style), ``audience``, ``scopes`` and, optionally,
``partner`` (the default partner) and ``data_dir`` (the folder of the History that makes
submissions idempotent; default: the app's data folder, under ``RUNWAY_DESKTOP_HOME`` when
that is set). The hook builds no HTTP client of its own: ``session()`` is the core's.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar

from airflow.sdk import BaseHook, Connection
from airflow.sdk.exceptions import AirflowFailException

from runway_desktop.airflow.runtime import (
    RunwayContext,
    RunwaySettings,
    RunwaySettingsError,
    runway_session,
    settings_from_connection,
)


class RunwayHook(BaseHook):
    conn_name_attr: ClassVar[str] = "runway_conn_id"
    default_conn_name: ClassVar[str] = "runway_default"
    conn_type: ClassVar[str] = "runway"
    hook_name: ClassVar[str] = "Runway"

    def __init__(self, runway_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.runway_conn_id = runway_conn_id

    def get_conn(self) -> RunwaySettings:
        return self.settings()

    def settings(self) -> RunwaySettings:
        """The connection as Runway settings (blocking: in a task)."""
        return self._read(self.get_connection(self.runway_conn_id))

    async def asettings(self) -> RunwaySettings:
        """The same, from a trigger's event loop."""
        return self._read(await self.aget_connection(self.runway_conn_id))

    def session(self, settings: RunwaySettings) -> AbstractAsyncContextManager[RunwayContext]:
        """The core's session and connection for these settings (``async with``)."""
        return runway_session(settings)

    def _read(self, conn: Connection) -> RunwaySettings:
        extra: Mapping[str, Any] = conn.extra_dejson or {}
        try:
            return settings_from_connection(
                self.runway_conn_id,
                host=conn.host,
                login=conn.login,
                password=conn.password,
                extra=extra,
                schema=conn.schema,
                port=conn.port,
            )
        except RunwaySettingsError as exc:  # a retry would read the same connection
            raise AirflowFailException(str(exc)) from None

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["port", "schema"],
            "relabeling": {
                "host": "API base URL",
                "login": "Client ID",
                "password": "Client secret",
            },
            "placeholders": {
                "host": "https://api.example.org/api/v1",
                "extra": '{"token_url": "https://idp.example.org/token", "token_style": "form", '
                '"audience": null, "scopes": "partner:acme", "data_dir": "/shared/runway"}',
            },
        }
