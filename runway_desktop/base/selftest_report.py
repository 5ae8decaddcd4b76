"""The lines of ``runway-desktop --self-test``: shared by its Qt-free checks (``selftest``) and
its Qt checks (``ui.selftest_qt``), which is why they live below both."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    OK = "ok"
    WARNING = "warning"
    FAILURE = "FAILED"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str = ""
    # Shown instead of the status word ("yes"/"no" for the sandbox line).
    label: str = ""

    def line(self) -> str:
        word = self.label or self.status.value
        if self.status is Status.OK:
            return f"{self.name}: {word} ({self.detail})" if self.detail else f"{self.name}: {word}"
        if self.status is Status.WARNING:
            tail = " — warning, not failure"
            return f"{self.name}: {self.label + ', ' if self.label else ''}{self.detail}{tail}"
        return f"{self.name}: FAILED — {self.detail}"
