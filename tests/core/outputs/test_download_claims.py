"""The per-set download claim across real processes: held, waited for, and freed by a kill."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runway_desktop.core.outputs.claims import claimed

HOLD = """
import asyncio, sys
from pathlib import Path
from runway_desktop.core.outputs.claims import claimed

async def main() -> None:
    async with claimed(Path(sys.argv[1]), "profile", "set-1"):
        print("held", flush=True)
        await asyncio.sleep(60)

asyncio.run(main())
"""


def hold_in_child(claims: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(claims)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


async def take(claims: Path, set_uid: str = "set-1") -> tuple[bool, float]:
    waited = False

    def on_wait() -> None:
        nonlocal waited
        waited = True

    started = time.monotonic()
    async with claimed(claims, "profile", set_uid, on_wait=on_wait):
        return waited, time.monotonic() - started


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_holder_frees_the_claim(tmp_path: Path) -> None:
    child = hold_in_child(tmp_path)

    async def kill_soon() -> None:
        await asyncio.sleep(0.5)
        os.kill(child.pid, signal.SIGKILL)

    async def scenario() -> tuple[bool, float]:
        killer = asyncio.ensure_future(kill_soon())
        result = await asyncio.wait_for(take(tmp_path), timeout=10)
        await killer
        return result

    waited, seconds = asyncio.run(scenario())
    child.wait(timeout=10)
    assert waited and 0.4 < seconds < 5


def test_another_set_is_not_held_up(tmp_path: Path) -> None:
    child = hold_in_child(tmp_path)
    try:
        waited, seconds = asyncio.run(asyncio.wait_for(take(tmp_path, "set-2"), timeout=10))
    finally:
        child.kill()
        child.wait(timeout=10)
    assert not waited and seconds < 2


def test_a_cancelled_wait_gives_up(tmp_path: Path) -> None:
    child = hold_in_child(tmp_path)
    cancel = asyncio.Event()

    async def scenario() -> None:
        asyncio.get_running_loop().call_later(0.3, cancel.set)
        async with claimed(tmp_path, "profile", "set-1", cancel=cancel):
            pytest.fail("the claim was taken while another process held it")

    try:
        with pytest.raises(asyncio.CancelledError):
            asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    finally:
        child.kill()
        child.wait(timeout=10)
