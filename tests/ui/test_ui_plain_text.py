"""What a server sends is shown as plain text: ``<b>`` and ``<a href>`` stay literal.

The markup reaches the screens the way it would in real life: Runway (the sandbox) echoes the
tenant code it refused into its message, and an output set's file names are whatever the
server lists. Each check asserts what is displayed, and that Qt would have rendered the same
text as rich text had it been left to guess (so the check cannot pass by accident).
"""

from __future__ import annotations

from pathlib import Path

from history_ui_fixtures import HistoryUnderTest, history  # noqa: F401  (fixture "history")
from output_sets_helpers import Screen, outsets, qt_garbage  # noqa: F401  (pytest fixtures)

# QtGui's Qt: the namespace with mightBeRichText (QtCore's lacks the QtGui functions).
from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture: the fixture "app")
    AppUnderTest,
    app_fixture,
    choose_item,
    drop_on_slot,
    fill_basics,
    param_combo,
    submit,
)

from runway_desktop.ui.output_sets.model import COL_FILES
from runway_desktop.ui.widgets.field_error import FieldError

WAIT_MS = 20_000
MARKUP = '<b>district</b><a href="https://evil.example/">-z</a>'
TIP = Qt.ItemDataRole.ToolTipRole


def as_rich_text(text: str) -> str:
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def shown_as_typed(label: QLabel, markup: str) -> None:
    """``label`` displays ``markup`` literally: it is told its text is plain, and its text is
    one that rich-text rendering would change (the tags would vanish, the link go live)."""
    assert markup in label.text()
    assert markup not in as_rich_text(label.text()), "not a test: rich text would show it too"
    assert label.textFormat() == Qt.TextFormat.PlainText


def tooltip_shows(tip: str, literal: str) -> None:
    """A tooltip shows ``literal`` as it is: rendered the way QToolTip renders it."""
    document = QTextDocument()
    if Qt.mightBeRichText(tip):
        document.setHtml(tip)
    else:
        document.setPlainText(tip)
    assert literal in document.toPlainText()


def test_the_submit_error_banner_and_field_line_show_runway_words_literally(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page, tenant=MARKUP, school_year="2026", assessment="PSAT/SAT")
    choose_item(param_combo(page, "TEST_TYPE"), "SAT")
    drop_on_slot(qtbot, page, samples_dir / "PSAT_SAT" / "sample_anonymized_file_sat.csv")
    submit(qtbot, page)
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=WAIT_MS)
    # Runway's "Invalid tenant. acme/<tenant> does not exist", in the app's words.
    shown_as_typed(page.banner, MARKUP)
    field_lines = [e for e in page.form.findChildren(FieldError) if e.isVisible()]
    assert field_lines, "the refusal is also shown next to the tenant field"
    for line in field_lines:
        shown_as_typed(line, MARKUP)


def test_the_history_detail_and_table_show_stored_words_literally(
    history: HistoryUnderTest,  # noqa: F811
) -> None:
    h = history
    sat = h.make.samples / "PSAT_SAT" / "sample_anonymized_file_sat.csv"
    request = h.make.request(
        "assessments/PSAT_SAT", {"INPUT_FILE": sat}, {"TEST_TYPE": "SAT"}, tenant=MARKUP
    )
    refused = h.run(h.make.submit(request))
    assert refused.job_uid is None
    h.refresh()
    assert h.page.select_submission(refused.submission_id)
    detail = h.page.detail
    shown_as_typed(detail.explanation, MARKUP)  # the refusal, as History stored it
    shown_as_typed(detail.title, MARKUP)
    shown_as_typed(detail._fact_labels["District"], MARKUP)


def test_output_set_file_names_stay_literal_in_the_table_tooltip(outsets: Screen) -> None:  # noqa: F811
    names = {"<b>bold</b>.jsonl": b"{}\n", '<a href="https://evil.example/">x</a>.jsonl': b"{}\n"}
    (uid,) = outsets.inject(files=names)
    outsets.refresh()
    tip = outsets.text(uid, COL_FILES, TIP)
    assert Qt.mightBeRichText("\n".join(sorted(names)))  # what Qt would have guessed
    for name in names:
        tooltip_shows(tip, name)
