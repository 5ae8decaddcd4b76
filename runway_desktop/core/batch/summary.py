"""A batch's own summary in History, in the words every front end shows.

Two things are said of a batch: what its run did with each item (the run's outcome words:
"sent", "already sent", "not sent"…), and what has become of its submissions since (each one's
state from the one derivation, core/submission_state.py). Runway processes a batch's jobs
one by one, so the second part changes while the first stays as the run left it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from runway_desktop.base.formatting import count_text, moment_text
from runway_desktop.base.words import QT_TRANSLATE_NOOP, localized, translate
from runway_desktop.core.batch.outcomes import STATUS_WORDS, WORDS
from runway_desktop.core.submission_state import SubmissionState, derive_state, state_label
from runway_desktop.history.batches import BatchRecord
from runway_desktop.history.store import HistoryStore

# An item the run never gave an outcome: the process ended while it was under way.
UNFINISHED = QT_TRANSLATE_NOOP("BatchOutcome", "interrupted")
UNDER_WAY = QT_TRANSLATE_NOOP("BatchOutcome", "under way")


@dataclass(frozen=True)
class BatchSummary:
    record: BatchRecord
    outcomes: dict[str, int]  # outcome words → items, in the order first seen
    states: dict[SubmissionState, int]  # its submissions' states now

    @property
    def title(self) -> str:
        """ "Batch #3: 12 submissions from /term/fall, 4 Dec, 15:30"."""
        record = self.record
        count = count_text(len(record.items), "submission")
        return translate("BatchOutcome", "Batch #{number}: {count} from {source}, {when}").format(
            number=record.id, count=count, source=record.source, when=moment_text(record.created_at)
        )

    @property
    def outcome_text(self) -> str:
        """ "10 sent, 2 already sent"."""
        return ", ".join(f"{n} {words}" for words, n in self.outcomes.items())

    @property
    def state_text(self) -> str:
        """ "Now: Processed (3); Started — waiting for Runway (9)" (none sent: empty)."""
        if not self.states:
            return ""
        parts = [f"{state_label(state)} ({n})" for state, n in self.states.items()]
        return translate("BatchOutcome", "Now: {states}").format(states="; ".join(parts))

    def text(self) -> str:
        parts = [f"{self.title}.", f"{self.outcome_text}."]
        if self.state_text:
            parts.append(f"{self.state_text}.")
        return " ".join(parts)


def summarize(record: BatchRecord, history: HistoryStore, now: datetime) -> BatchSummary:
    """Blocking (History reads): for a worker thread or the CLI."""
    words = {status.value: text for status, text in STATUS_WORDS.items()}
    outcomes: Counter[str] = Counter()
    for item in record.items:
        if item.status is None:
            unfinished = UNFINISHED if record.finished_at is not None else UNDER_WAY
            outcomes[localized(WORDS, unfinished)] += 1
        else:  # a status a newer release wrote reads as itself
            outcomes[words.get(item.status, item.status)] += 1
    states: Counter[SubmissionState] = Counter()
    ids = dict.fromkeys(i.submission_id for i in record.items if i.submission_id is not None)
    for submission_id in ids:
        submission = history.get(submission_id)
        if submission is not None:
            states[derive_state(submission, now=now).state] += 1
    return BatchSummary(record, dict(outcomes), dict(states))
