"""One sender per submission on this computer, across processes.

Two windows of the app, the app and a ``history resume`` in a terminal, or two scheduled CLI
runs all read the same history. Without a claim each would see the other's half-sent
submission as "interrupted" and offer to resume it, and two resumes would start one job
twice. So whoever sends a submission (a new one, or a resume) holds its claim: an OS file
lock beside the history database, which the OS drops when the process dies (so a killed
send reads "interrupted" at once, and never blocks the next one).

The claim of a new submission is taken before its record is committed, so no other process
ever sees the record unclaimed while it is being sent.
"""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout


def claims_dir_of(history_path: Path) -> Path:
    """Where the claims of one history live (practice keeps its own, with its own history)."""
    return history_path.parent / "claims"


def _path(claims_dir: Path, submission_id: int) -> Path:
    return claims_dir / f"submission-{submission_id}.lock"


class SendClaim:
    """This process's claim on one submission, held until :meth:`release`."""

    def __init__(self, claims_dir: Path, submission_id: int) -> None:
        claims_dir.mkdir(parents=True, exist_ok=True)
        self.submission_id = submission_id
        self._lock = FileLock(_path(claims_dir, submission_id), timeout=0, is_singleton=False)

    def take(self) -> bool:
        """Take the claim now, or say (False) that another sender holds it. Never waits: a
        resume that finds its submission being sent must not queue up behind it."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()


class SendClaims:
    """The claims one run holds: the submission it sends, and the one a resume sends anew."""

    def __init__(self, claims_dir: Path) -> None:
        self.claims_dir = claims_dir
        self._held: list[SendClaim] = []

    def take(self, submission_id: int) -> bool:
        claim = SendClaim(self.claims_dir, submission_id)
        if not claim.take():
            return False
        self._held.append(claim)
        return True

    def take_new(self, submission_id: int) -> None:
        """For a record not committed yet: nobody else can know its id, so a taken claim
        means a stale lock of a history since replaced, and the record must not be made."""
        if not self.take(submission_id):
            raise RuntimeError(f"submission #{submission_id} is claimed by another sender")

    def release_all(self) -> None:
        for claim in self._held:
            claim.release()
        self._held.clear()


def being_sent(claims_dir: Path, submission_id: int) -> bool:
    """Someone (this process or another) holds the submission's claim. Touches the disk:
    call it from a worker thread, and only for records in a working state."""
    path = _path(claims_dir, submission_id)
    if not path.exists():
        return False  # never claimed on this computer (or claimed before claims existed)
    probe = FileLock(path, timeout=0, is_singleton=False)
    try:
        probe.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False  # an unreadable lock file proves no sender
    probe.release()
    return False


BUSY_REASON = (
    "This submission is being sent right now by another window of this app or by the command "
    "line on this computer, so nothing was done here. Wait for that to finish, then look again."
)
