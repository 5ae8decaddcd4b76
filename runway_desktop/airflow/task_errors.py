"""Running the core from a task, with its errors turned into Airflow's: a refusal, a bad
connection or a partner to choose fails the task for good (``AirflowFailException``: a retry
would be refused the same way); a temporary error is an ``AirflowException`` that Airflow's
retries may overcome."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from runway_desktop.airflow.runtime import RunwaySettingsError
from runway_desktop.api.errors import RunwayError
from runway_desktop.core.session import PartnerChoiceNeeded

T = TypeVar("T")


def task_error(message: str, *, retry: bool) -> AirflowException:
    return AirflowException(message) if retry else AirflowFailException(message)


def run_core(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(work)``, its errors in Airflow's terms (with the next step, if any)."""
    try:
        return asyncio.run(work)
    except PartnerChoiceNeeded as choice:
        raise AirflowFailException(
            f"This client may use several partners ({', '.join(choice.codes)}): give "
            "partner= to the task, or the connection extra's partner."
        ) from None
    except RunwaySettingsError as exc:
        raise AirflowFailException(str(exc)) from None
    except RunwayError as error:
        text = f"{error.message} {error.next_step}".strip() if error.next_step else error.message
        raise task_error(text, retry=error.retryable) from None
