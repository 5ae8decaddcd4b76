"""What ``batch run`` prints: one line per item as it ends, the summary, the ``--json``
document, and each item's exit code by the rules ``submit`` follows."""

from __future__ import annotations

import re
from typing import Any

from runway_desktop.base.formatting import duration_text, school_year_label
from runway_desktop.bundles.model import Registry
from runway_desktop.cli.output import (
    EXIT_OK,
    EXIT_TRANSIENT,
    EXIT_USAGE,
    CommandFailure,
    Console,
    failure_from_error,
    yes_no,
)
from runway_desktop.cli.submit import invalid_exit_code
from runway_desktop.core.batch.plan import PlanItem
from runway_desktop.core.batch.run import (
    STATUS_WORDS,
    BatchEvent,
    ItemFinished,
    ItemOutcome,
    ItemStatus,
    ItemStep,
    outcome_text,
)
from runway_desktop.core.submission_state import NO_OUTPUT_CAUSE
from runway_desktop.core.submit.events import Notice, SubmissionInvalid


def item_json(item: PlanItem, found: Registry) -> dict[str, Any]:
    """What an item is, in ``plan --json`` and ``run --json`` alike."""
    return {
        "label": item.label(found),
        "bundle": item.bundle,
        "tenant": item.tenant,
        "school_year": item.school_year,
        "school_year_label": school_year_label(item.school_year),
        "files": {env: str(path) for env, path in item.files.items()},
    }


class BatchReport:
    """The run's listener: one line per item as it ends, the pipeline's notices on stderr."""

    def __init__(self, console: Console, found: Registry, total: int) -> None:
        self.console = console
        self.registry = found
        self.total = total

    def _prefix(self, number: int) -> str:
        return f"{number}/{self.total}"

    def handle(self, event: BatchEvent) -> None:
        if isinstance(event, ItemStep) and isinstance(event.event, Notice):
            self.console.note(f"{self._prefix(event.number)} note: {event.event.text}")
        elif isinstance(event, ItemFinished):
            self.console.result(self.line(event.outcome))

    def line(self, outcome: ItemOutcome) -> str:
        words = STATUS_WORDS[outcome.status]
        label = outcome.item.label(self.registry)
        return f"{self._prefix(outcome.number)}  {words:<13} {label}: {self.detail(outcome)}"

    def detail(self, outcome: ItemOutcome) -> str:
        if outcome.status is ItemStatus.FAILED:
            failure = item_failure(outcome, self.registry)
            return f"{failure.message} What to do: {failure.next_step}".rstrip(" :")
        hint = {
            ItemStatus.ALREADY_SENT: " Add --resend to send them again.",
            ItemStatus.UNDECIDED: " Run the batch again later: it looks again and never starts "
            "it twice.",
        }.get(outcome.status, "")
        return outcome_text(outcome) + hint

    def outputs(self, outcomes: list[ItemOutcome], timeout: float) -> None:
        for outcome in outcomes:
            if not outcome.waited:
                continue
            prefix = self._prefix(outcome.number)
            for found in outcome.output_sets:
                self.console.result(
                    f"{prefix}  output        {found.uid}  sent to ODS: {yes_no(found.sent_to_ods)}"
                )
            if not outcome.output_sets:
                self.console.result(
                    f"{prefix}  no output yet for job {outcome.job_uid} after "
                    f"{duration_text(timeout)}. {NO_OUTPUT_CAUSE}"
                )


# An item's values come from the plan, not from options: where the CLI's words name an
# option (cli/output.py's vocabulary), a batch names the plan's key instead.
_PLAN_WORDS = (
    (re.compile(r"Check --tenant"), "Check the item's tenant in the plan"),
    (re.compile(r"Give it with --file KEY=PATH \(the “(.+?)” slot\)\."),
     r"Add it to the item's [item.files] in the plan (the “\1” slot)."),
    (re.compile(r"Check the options named above and run the command again\."),
     "Correct the item in the plan and run the batch again."),
)  # fmt: skip


def _in_plan_words(text: str) -> str:
    for pattern, words in _PLAN_WORDS:
        text = pattern.sub(words, text)
    return text


def item_failure(outcome: ItemOutcome, found: Registry) -> CommandFailure:
    """A failed item in the CLI's words and exit code, by the rules ``submit`` follows."""
    error = outcome.error
    assert error is not None, outcome
    code = None
    if isinstance(error, SubmissionInvalid):
        # submit's rule: a file the person named that is unusable → 5; a slot or value → 2.
        bundle = found.get(outcome.item.bundle)
        files = dict(outcome.item.files)
        code = EXIT_USAGE if bundle is None else invalid_exit_code(error, files, bundle)
    failure = failure_from_error(error, exit_code=code)
    failure.message, failure.next_step = (
        _in_plan_words(t) for t in (failure.message, failure.next_step)
    )
    if isinstance(error, SubmissionInvalid):
        if len(error.problems) > 1:
            failure.message = " ".join(p.message for p in error.problems)
        if error.mismatches:
            failure.next_step = (
                "Correct the item in the plan (its files, assessment or school year), or send "
                "the file by itself with `submit --accept-mismatch`."
            )
    return failure


def item_exit_code(outcome: ItemOutcome, found: Registry) -> int:
    if outcome.status in (ItemStatus.UNDECIDED, ItemStatus.BUSY, ItemStatus.NOT_SENT):
        return EXIT_TRANSIENT
    if outcome.status is ItemStatus.FAILED:
        return item_failure(outcome, found).exit_code
    return EXIT_OK if outcome.ok else EXIT_TRANSIENT  # waited, and no output yet


def summary_line(outcomes: list[ItemOutcome]) -> str:
    counts = {s: sum(1 for o in outcomes if o.status is s) for s in ItemStatus}
    parts = [f"{n} {STATUS_WORDS[s]}" for s, n in counts.items() if n]
    return f"{len(outcomes)} item(s): {', '.join(parts)}."


def run_document(
    outcomes: list[ItemOutcome], found: Registry, partner: str, code: int, *, waited: bool
) -> dict[str, Any]:
    items = []
    for outcome in outcomes:
        item = outcome.item
        entry: dict[str, Any] = {
            "number": outcome.number,
            **item_json(item, found),
            "status": outcome.status.value,
            "submission_id": outcome.submission_id,
            "job_uid": outcome.job_uid,
            "state": outcome.state.value if outcome.state is not None else None,
            "reason": outcome.reason or None,
            "already_started": outcome.already_started,
            "new_job": outcome.new_job,
            "exit_code": item_exit_code(outcome, found),
            "error": None,
        }
        if outcome.status is ItemStatus.FAILED:
            failure = item_failure(outcome, found)
            entry["error"] = {
                "code": failure.code,
                "kind": failure.kind,
                "message": failure.message,
                "next_step": failure.next_step,
                **failure.extra,
            }
        if waited:
            entry["output_sets"] = [
                {"uid": s.uid, "sentToOds": s.sent_to_ods, "files": list(s.files)}
                for s in outcome.output_sets
            ]
        items.append(entry)
    summary = {s.value: sum(1 for o in outcomes if o.status is s) for s in ItemStatus}
    return {"ok": code == EXIT_OK, "exit_code": code, "partner": partner,
            "summary": summary, "items": items}  # fmt: skip
