"""The Output sets screen, browsing: columns, every server filter, local search, sort, states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import output_sets_helpers
from output_sets_helpers import FILES, Screen
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox

from runway_desktop.api.models import OutputSetFilter
from runway_desktop.core.outputs.browse import job_partner, local_midnight
from runway_desktop.ui.output_sets.model import (
    COL_ASSESSMENT,
    COL_CREATED,
    COL_FILES,
    COL_ODS,
    COL_STATE,
    COL_TENANT,
    COL_YEAR,
)

TIP = Qt.ItemDataRole.ToolTipRole

# Fixtures shared with the download suite (assigned, not imported: ruff F811).
outsets = output_sets_helpers.outsets
qt_garbage = output_sets_helpers.qt_garbage


def choose(combo: QComboBox, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()} offers no {data!r}"
    combo.setCurrentIndex(index)


def test_a_set_shows_what_an_analyst_needs(outsets: Screen) -> None:
    created = datetime(2026, 3, 15, 14, 30, 5, 123000, tzinfo=UTC)
    (uid,) = outsets.inject(created_on=created, bundle="assessments/PSAT_SAT")
    (other,) = outsets.inject(sent_to_ods=False, school_year="2025", files={"a.jsonl": b"x"})
    outsets.refresh()

    assert set(outsets.shown_uids()) == {uid, other}
    local = created.astimezone()
    assert outsets.text(uid, COL_CREATED).startswith(local.strftime("%Y-%m-%d %H:%M"))
    assert "days ago" in outsets.text(uid, COL_CREATED)
    assert "2026-03-15T14:30:05.123Z" in outsets.text(uid, COL_CREATED, TIP)
    assert outsets.text(uid, COL_TENANT) == "district-a"
    assert outsets.text(uid, COL_YEAR) == "2025–26"
    assert outsets.text(other, COL_YEAR) == "2024–25"
    assert outsets.text(uid, COL_ASSESSMENT) == outsets.services.assessment_name(
        "assessments/PSAT_SAT"
    )
    assert outsets.text(uid, COL_ASSESSMENT, TIP) == "assessments/PSAT_SAT"
    assert outsets.text(uid, COL_FILES) == "2 files"
    assert outsets.text(uid, COL_FILES, TIP).splitlines() == sorted(FILES)
    assert outsets.text(other, COL_FILES) == "1 file"
    assert outsets.text(uid, COL_ODS) == "Yes"
    assert outsets.text(other, COL_ODS) == "No"
    assert outsets.text(uid, COL_STATE) == "Not downloaded · Download"
    # Newest first by default.
    assert outsets.shown_uids() == [other, uid]
    assert outsets.page.summary.text().startswith("2 output sets for acme")


def test_every_server_filter_matches_what_runway_answers(outsets: Screen) -> None:
    now = datetime.now(UTC)
    day = (now - timedelta(days=3)).astimezone().date()
    midnight = local_midnight(day)
    inject = outsets.inject
    inject(tenant="district-b", created_on=now - timedelta(days=10))
    inject(school_year="2025", sent_to_ods=False, created_on=midnight - timedelta(seconds=1))
    inject(bundle="assessments/PSAT_SAT", created_on=midnight + timedelta(seconds=1))
    inject(tenant="district-b", bundle="assessments/PSAT_SAT", sent_to_ods=False, count=2)
    inject(partner="ea", tenant="ea-tenant", count=1)
    bar = outsets.page.filters

    def check(expected: OutputSetFilter) -> None:
        outsets.qtbot.waitUntil(lambda: outsets.page.listing.loaded_filter == bar.values())
        outsets.refresh()
        task = outsets.page.connection.client.list_output_sets(expected)  # type: ignore[union-attr]
        future = __import__("asyncio").ensure_future(task)
        outsets.qtbot.waitUntil(future.done, timeout=10_000)
        server = {s.uid for s in future.result()}
        assert set(outsets.shown_uids()) == server
        assert server, "every filter case here selects something"

    check(OutputSetFilter(partner="acme"))
    assert len(outsets.shown_uids()) == 5
    bar.tenant.setEditText("district-b")
    bar.tenant.lineEdit().editingFinished.emit()  # type: ignore[union-attr]
    check(OutputSetFilter(partner="acme", tenant="district-b"))
    assert len(outsets.shown_uids()) == 3
    bar.clear_server_filters()
    choose(bar.school_year, "2025")
    check(OutputSetFilter(partner="acme", school_year="2025"))
    assert len(outsets.shown_uids()) == 1
    bar.clear_server_filters()
    choose(bar.assessment, "assessments/PSAT_SAT")
    check(OutputSetFilter(partner="acme", bundle="assessments/PSAT_SAT"))
    assert len(outsets.shown_uids()) == 3
    choose(bar.sent_to_ods, False)
    check(OutputSetFilter(partner="acme", bundle="assessments/PSAT_SAT", sent_to_ods=False))
    assert len(outsets.shown_uids()) == 2
    bar.clear_server_filters()
    choose(bar.sent_to_ods, True)
    check(OutputSetFilter(partner="acme", sent_to_ods=True))
    assert len(outsets.shown_uids()) == 2
    bar.clear_server_filters()
    bar.created_after.setDate(QDate(day.year, day.month, day.day))
    bar.created_after_enabled.setChecked(True)
    # Local midnight of the chosen day: the set one second before it is left out.
    check(OutputSetFilter(partner="acme", created_after=midnight))
    assert len(outsets.shown_uids()) == 3
    bar.clear_server_filters("ea")
    check(OutputSetFilter(partner="ea"))
    assert len(outsets.shown_uids()) == 1


def test_created_after_is_sent_as_local_midnight_in_utc() -> None:
    query = OutputSetFilter(partner="acme", created_after=local_midnight(date(2026, 3, 15)))
    sent = query.to_params()["createdAfter"]
    assert sent.endswith("Z")
    expected = datetime(2026, 3, 15).astimezone().astimezone(UTC)
    assert sent == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_local_search_is_instant_and_matches_everything_a_row_says(outsets: Screen) -> None:
    (a,) = outsets.inject(tenant="lincoln-county", files={"objectiveAssessments.jsonl": b"x"})
    (b,) = outsets.inject(tenant="district-b", bundle="assessments/PSAT_SAT")
    (c,) = outsets.inject(tenant="district-b", school_year="2025", sent_to_ods=False)
    outsets.refresh()
    bar, page = outsets.page.filters, outsets.page
    job_of_b = page.model.rows[page.model.row_of(b) or 0].output_set.job_uid

    def search(text: str) -> set[str]:
        bar.search.setText(text)  # no waiting: the proxy filters synchronously
        return set(outsets.shown_uids())

    assert search("LINCOLN") == {a}
    assert search("objectiveassess") == {a}
    assert search("2024–25") == {c}
    assert search("district-b 2025-26") == set()  # the label uses an en dash
    assert search("district-b 2025–26") == {b}
    assert search(job_of_b) == {b}
    assert search(c[:8]) == {c}
    assert search("nothing-like-this") == set()
    assert page.stack.currentIndex() == 1
    assert page.empty.text() == "None of the 3 output sets matches “nothing-like-this”."
    assert page.clear_button.isVisible() and page.clear_button.text() == "C&lear the search"
    outsets.qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert bar.search.text() == "" and set(outsets.shown_uids()) == {a, b, c}
    assert page.stack.currentIndex() == 0


def test_sorting_by_a_column_header(outsets: Screen) -> None:
    now = datetime.now(UTC)
    old = outsets.inject(tenant="b-district", created_on=now - timedelta(days=2))
    mid = outsets.inject(tenant="c-district", created_on=now - timedelta(days=1))
    new = outsets.inject(tenant="a-district", created_on=now)
    outsets.refresh()
    header = outsets.page.table.horizontalHeader()

    assert outsets.shown_uids() == new + mid + old
    header.setSortIndicator(COL_CREATED, Qt.SortOrder.AscendingOrder)
    assert outsets.shown_uids() == old + mid + new
    header.setSortIndicator(COL_TENANT, Qt.SortOrder.AscendingOrder)
    assert outsets.shown_uids() == new + old + mid
    header.setSortIndicator(COL_TENANT, Qt.SortOrder.DescendingOrder)
    assert outsets.shown_uids() == mid + old + new
    # A refresh with a new set keeps the chosen order and the selection.
    outsets.page.table.selectRow(1)
    later = outsets.inject(tenant="b-district-2")
    outsets.refresh()
    assert outsets.shown_uids() == mid + later + old + new
    assert outsets.page._selected_sets()[0].uid == old[0]


def test_empty_states_say_what_to_expect(outsets: Screen) -> None:
    page = outsets.page
    assert page.stack.currentIndex() == 1
    assert page.empty.text() == (
        "No processed results yet for acme. Results appear a few minutes after a submission "
        "finishes."
    )
    assert not page.clear_button.isVisible()
    outsets.inject(school_year="2026")
    choose(page.filters.school_year, "2025")
    outsets.qtbot.waitUntil(lambda: page.listing.loaded_filter == page.filters.values())
    assert page.empty.text().startswith("No processed results yet for acme / 2024–25. Results")
    assert page.clear_button.isVisible() and page.clear_button.text() == "C&lear filters"
    with outsets.qtbot.waitSignal(page.loaded):
        outsets.qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]
    assert len(outsets.shown_uids()) == 1 and page.stack.currentIndex() == 0


def test_a_listing_error_is_shown_and_the_last_list_kept(outsets: Screen) -> None:
    outsets.inject(count=2)
    outsets.refresh()
    outsets.sandbox.faults.set("api_error", {"status": 503})
    try:
        outsets.refresh()
    finally:
        outsets.sandbox.faults.set("api_error", None)
    page = outsets.page
    assert page.banner.isVisible()
    assert page.banner.text().startswith("Could not list output sets:")
    assert len(outsets.shown_uids()) == 2
    outsets.refresh()
    assert not page.banner.isVisible()


def test_refreshes_only_while_visible(outsets: Screen) -> None:
    page = outsets.page
    assert page.refresh_timer.isActive()
    page.hide()
    assert not page.refresh_timer.isActive()
    outsets.inject()
    page.show()  # back within seconds: the list is still fresh, no new request
    assert len(outsets.shown_uids()) == 0
    page.hide()
    assert page.listing.loaded_at is not None
    page.listing.loaded_at -= timedelta(minutes=1)  # the user looked elsewhere for a minute
    with outsets.qtbot.waitSignal(page.loaded):
        page.show()
    assert len(outsets.shown_uids()) == 1


def test_show_for_job_lists_the_partner_and_searches_the_job(outsets: Screen) -> None:
    (mine,) = outsets.inject(partner="ea", tenant="ea-tenant")
    outsets.inject(partner="ea", tenant="ea-tenant", count=2)
    outsets.inject(partner="acme")
    page = outsets.page
    # Seen once (a listing records the sets it shows), as a job from the web UI would be.
    page.filters.partner.setCurrentText("ea")
    outsets.qtbot.waitUntil(lambda: len(outsets.shown_uids()) == 3, timeout=10_000)
    job = page.model.rows[page.model.row_of(mine) or 0].output_set.job_uid
    # The listing records what it showed off the Qt thread: the job's partner comes from there.
    outsets.qtbot.waitUntil(lambda: job_partner(page.services.history, job) == "ea")
    page.filters.partner.setCurrentText("acme")
    choose(page.filters.school_year, "2025")
    outsets.qtbot.waitUntil(lambda: page.listing.loaded_filter == page.filters.values())

    with outsets.qtbot.waitSignal(page.loaded):
        page.show_for_job(job)
    values = page.filters.values()
    assert values is not None and values.partner == "ea" and not values.narrowed
    assert page.filters.search.text() == job
    assert outsets.shown_uids() == [mine]
    assert [s.uid for s in page._selected_sets()] == [mine]


def test_a_search_from_another_screen_does_not_outlast_the_visit(outsets: Screen) -> None:
    """History's "Show output sets" searches for its job; after the clerk leaves, a later visit
    shows every set again. A search the clerk typed here stays, and so does one while the
    window is only minimised."""
    (mine,) = outsets.inject(partner="acme")
    outsets.inject(partner="acme", count=2)
    page = outsets.page
    outsets.refresh()
    assert len(outsets.shown_uids()) == 3
    job = page.model.rows[page.model.row_of(mine) or 0].output_set.job_uid
    with outsets.qtbot.waitSignal(page.loaded):
        page.show_for_job(job)
    assert outsets.shown_uids() == [mine]

    page.hide()  # to another screen
    page.show()
    assert page.filters.search.text() == ""
    outsets.qtbot.waitUntil(lambda: len(outsets.shown_uids()) == 3, timeout=10_000)

    page.filters.search.setText(mine[:8])  # typed here
    page.hide()
    page.show()
    assert page.filters.search.text() == mine[:8]


def test_partner_list_follows_the_connection(outsets: Screen) -> None:
    bar = outsets.page.filters
    assert [bar.partner.itemText(i) for i in range(bar.partner.count())] == ["acme", "ea"]
    outsets.page.set_connection(None, [])
    assert outsets.page.empty.text() == "Set up the connection to Runway first (Settings)."
