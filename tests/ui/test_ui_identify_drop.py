"""Files dropped on the Submit screen are identified by their columns: the form offers the
assessment they belong to, or places them in their slots, whatever their names and order.

Real sample files from resources/samples/, dropped with real drag events (tests/ui_dnd.py) on
the real main window connected to the sandbox. Most drops use renamed copies ("download (1).csv"):
their names say nothing, so only the identification can put them in the right slot.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from ui_app_helpers import (  # noqa: F401  (app_fixture is the pytest fixture "app")
    WAIT_MS,
    AppUnderTest,
    app_fixture,
    choose_item,
    fill_basics,
    left_click,
    slot,
    wait_checked,
)
from ui_dnd import drag, drop_files, file_mime

from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.core.submit.drop_plan import Action, offer_text, plan_drop
from runway_desktop.ui.submit.identify_offer_bar import IdentifyOfferBar
from runway_desktop.ui.submit.page import SubmitPage

STAR_FILES = {
    "INPUT_FILE": "SR_sample_anonymized_file.csv",
    "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
    "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
}


def renamed_star(samples_dir: Path, tmp_path: Path) -> dict[str, Path]:
    """The three STAR samples under names that fit no slot (a browser's download names)."""
    copies = {}
    for number, (env_var, name) in enumerate(STAR_FILES.items(), start=1):
        copy = tmp_path / f"download ({number}).csv"
        shutil.copyfile(samples_dir / "STAR" / name, copy)
        copies[env_var] = copy
    return copies


def map_file(samples_dir: Path) -> Path:
    return samples_dir / "MAP_Growth" / "sample_anonymized_file.csv"


def bar(page: SubmitPage) -> IdentifyOfferBar:
    return page.form.offer_bar


def drop_on_form(page: SubmitPage, paths: list[Path]) -> None:
    """Drop beside the slots: on the "Files" hint with no assessment, else on the list's hint."""
    form = page.form
    if form.files_hint.isVisible():
        at = form.files_hint.geometry().center()
        assert drag(form, file_mime(paths), at=at).accepted
    else:
        hint = form.slots._hint
        assert hint.isVisible()
        assert drag(form.slots, file_mime(paths), at=hint.geometry().center()).accepted


def wait_for_bar(qtbot: QtBot, page: SubmitPage) -> None:
    qtbot.waitUntil(bar(page).isVisible, timeout=WAIT_MS)


def wait_settled(qtbot: QtBot, page: SubmitPage) -> None:
    """The drop identified and every placed file checked."""
    wait_checked(qtbot, page)


def test_star_files_in_reverse_order_with_no_assessment_are_offered_then_placed(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment=None)
    star = renamed_star(samples_dir, tmp_path)

    drop_on_form(page, list(reversed(star.values())))
    wait_for_bar(qtbot, page)

    assert bar(page).text() == (
        "These 3 files look like Star Assessments files: use Star Assessments? "
        "Each goes in its own slot."
    )
    assert bar(page).accept_button.text() == "&Use Star Assessments"
    assert bar(page).decline_button.text() == "&No, I'll choose"
    assert bar(page).text_label.textFormat() == Qt.TextFormat.PlainText
    # Asking changes nothing yet.
    assert form.assessment.current_path() is None and form.slots.files() == {}

    left_click(bar(page).accept_button)
    wait_settled(qtbot, page)
    assert not bar(page).isVisible()
    assert form.assessment.current_path() == "assessments/STAR"
    assert form.slots.files() == star
    assert form.slots.message_text() == "3 files placed."
    assert all(report.ok for report in form.slots.reports().values())
    assert form.slots.problems_text() == ""


@pytest.mark.parametrize("where", ["list", "slot"])
def test_a_map_file_with_star_chosen_offers_to_switch_and_declining_keeps_star(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, where: str
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment="Star Assessments")
    growth = map_file(samples_dir)

    if where == "list":
        drop_on_form(page, [growth])
    else:
        assert drop_files(slot(page, "INPUT_FILE"), [growth]).accepted
    wait_for_bar(qtbot, page)
    wait_settled(qtbot, page)

    assert bar(page).text() == (
        f"{growth.name} looks like a MAP Growth Assessment file, not Star Assessments: "
        "switch to MAP Growth Assessment?"
    )
    assert bar(page).accept_button.text() == "&Use MAP Growth Assessment"
    assert bar(page).decline_button.text() == "&No, keep my choice"
    # Where a plain drop puts it, already: declining only has to leave it there.
    assert form.slots.files() == {"INPUT_FILE": growth}

    left_click(bar(page).decline_button)
    assert not bar(page).isVisible()
    wait_settled(qtbot, page)
    assert form.assessment.current_path() == "assessments/STAR"
    assert form.slots.files() == {"INPUT_FILE": growth}
    said = slot(page, "INPUT_FILE").messages()
    assert any("This looks like a MAP Growth Assessment file" in m for m in said.errors), said
    assert "can be sent" not in said.status
    assert not page.submit_button.isEnabled()


def test_accepting_the_switch_chooses_map_growth_and_fills_its_slot(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment="Star Assessments")
    star_main = samples_dir / "STAR" / STAR_FILES["INPUT_FILE"]
    slot(page, "INPUT_FILE").set_file(star_main)
    wait_settled(qtbot, page)
    growth = map_file(samples_dir)

    assert drop_files(slot(page, "INPUT_FILE_DS"), [growth]).accepted
    wait_for_bar(qtbot, page)
    # The clerk is told what switching costs: the STAR file already chosen goes.
    assert (
        bar(page)
        .text()
        .endswith(" Switching takes the files chosen for Star Assessments off the form.")
    )

    left_click(bar(page).accept_button)
    wait_settled(qtbot, page)
    assert form.assessment.current_path() == "assessments/MAP_Growth"
    assert form.slots.files() == {"INPUT_FILE": growth}
    report = slot(page).report()
    assert report is not None and report.ok


def test_files_of_the_chosen_assessment_go_to_their_slots_without_asking(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment="Star Assessments")
    star = renamed_star(samples_dir, tmp_path)
    dropped = [star["INPUT_FILE_SA"], star["INPUT_FILE"], star["INPUT_FILE_DS"]]

    drop_on_form(page, dropped)
    wait_settled(qtbot, page)

    assert form.slots.files() == star
    assert form.slots.message_text() == "3 files placed."
    assert not bar(page).isVisible() and bar(page).text() == ""  # never asked
    assert all(report.ok for report in form.slots.reports().values())


def test_a_file_dropped_on_the_wrong_slot_of_the_chosen_assessment_moves_to_its_own(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment="Star Assessments")
    skill = renamed_star(samples_dir, tmp_path)["INPUT_FILE_SA"]

    assert drop_files(slot(page, "INPUT_FILE"), [skill]).accepted
    qtbot.waitUntil(lambda: form.slots.files() == {"INPUT_FILE_SA": skill}, timeout=WAIT_MS)
    wait_settled(qtbot, page)

    assert form.slots.message_text() == (
        f"{skill.name} is a “Skill area” file, so it was put in that slot."
    )
    assert not bar(page).isVisible()


def test_files_of_different_assessments_are_named_and_none_is_placed(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment="Star Assessments")
    star = renamed_star(samples_dir, tmp_path)

    drop_on_form(page, [star["INPUT_FILE"], map_file(samples_dir), star["INPUT_FILE_SA"]])
    wait_for_bar(qtbot, page)
    wait_settled(qtbot, page)

    assert bar(page).text() == (
        "These files belong to different assessments (Star Assessments, MAP Growth "
        "Assessment), so they make several submissions. None of them was placed: plan them "
        "as a batch to check and send each one, or drop one assessment's files at a time."
    )
    assert bar(page).accept_button.text() == "&Plan them as a batch…"
    assert form.slots.files() == {}
    assert form.assessment.current_path() == "assessments/STAR"

    # Declined: nothing placed, nothing planned.
    left_click(bar(page).decline_button)
    assert form.slots.files() == {} and app.window.batch_dialog is None


def test_files_of_different_assessments_can_be_planned_as_a_batch(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page, tenant="district-a", school_year="2026", assessment=None)
    star = renamed_star(samples_dir, tmp_path)
    dropped = [star["INPUT_FILE"], star["INPUT_FILE_SA"], star["INPUT_FILE_DS"]]
    dropped.append(shutil.copyfile(map_file(samples_dir), tmp_path / "map.csv"))
    drop_on_form(page, dropped)
    wait_for_bar(qtbot, page)

    left_click(bar(page).accept_button)
    dialog = app.window.batch_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT_MS)
    assert dialog.plan is not None
    got = {(i.bundle, i.tenant, len(i.files)) for i in dialog.plan.items}
    assert got == {
        ("assessments/STAR", "district-a", 3),
        ("assessments/MAP_Growth", "district-a", 1),
    }
    assert page.form.slots.files() == {}  # nothing went to the form's slots


def test_a_folder_dropped_on_submit_opens_its_plan(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path, tmp_path: Path
) -> None:
    page = app.page
    fill_basics(qtbot, page, tenant="district-a", school_year="2026", assessment="Star Assessments")
    folder = tmp_path / "spring" / "district-b"
    folder.mkdir(parents=True)
    shutil.copyfile(map_file(samples_dir), folder / "map.csv")
    drop_on_form(page, [folder])

    dialog = app.window.batch_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=WAIT_MS)
    assert dialog.plan is not None and dialog.plan.folder == folder
    (item,) = dialog.plan.items
    assert item.bundle == "assessments/MAP_Growth" and item.files == {
        "INPUT_FILE": folder / "map.csv"
    }
    assert page.form.slots.files() == {} and not bar(page).isVisible()


@pytest.mark.parametrize("assessment", ["Star Assessments", None])
def test_a_file_nothing_fits_is_placed_as_before_without_an_offer(
    app: AppUnderTest, qtbot: QtBot, tmp_path: Path, assessment: str | None
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment=assessment)
    unknown = tmp_path / "scores.csv"
    unknown.write_text("Pupil,Colour,Shoe size\n1,red,38\n2,blue,41\n", encoding="utf-8")

    drop_on_form(page, [unknown])
    wait_settled(qtbot, page)

    assert not bar(page).isVisible() and bar(page).text() == ""
    if assessment is None:
        assert form.slots.message_text() == (
            "Choose the assessment first; then its file slots appear here."
        )
    else:
        assert form.slots.files() == {"INPUT_FILE": unknown}  # the first empty required slot
        assert form.slots.message_text() == "1 file placed."


def test_the_bar_answers_to_its_mnemonic_and_to_escape(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, form = app.page, app.page.form
    app.window.activateWindow()
    qtbot.waitActive(app.window)
    fill_basics(qtbot, page, assessment=None)
    growth = map_file(samples_dir)

    drop_on_form(page, [growth])
    wait_for_bar(qtbot, page)
    assert bar(page).accept_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    QTest.keyClick(form.tenant, Qt.Key.Key_Escape)
    assert not bar(page).isVisible()
    assert form.assessment.current_path() is None
    # Nothing could be placed without an assessment; the list says what comes first.
    assert form.slots.message_text().startswith("Choose the assessment first")

    drop_on_form(page, [growth])
    wait_for_bar(qtbot, page)
    QTest.keyClick(form.tenant, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    # A mnemonic "clicks" the button as Space does: the click lands a moment later.
    qtbot.waitUntil(lambda: form.assessment.current_path() is not None, timeout=WAIT_MS)
    wait_settled(qtbot, page)
    assert form.assessment.current_path() == "assessments/MAP_Growth"
    assert form.slots.files() == {"INPUT_FILE": growth}


def test_changing_the_assessment_by_hand_withdraws_the_question(
    app: AppUnderTest, qtbot: QtBot, samples_dir: Path
) -> None:
    page, form = app.page, app.page.form
    fill_basics(qtbot, page, assessment=None)
    drop_on_form(page, [map_file(samples_dir)])
    wait_for_bar(qtbot, page)
    choose_item(form.assessment, "PSAT/SAT")
    assert not bar(page).isVisible()


# --- the plan alone, without a window -------------------------------------------------------


def test_offer_wording_names_files_and_assessments_by_their_display_names() -> None:
    registry = load_snapshot()
    star, ready = registry.get("assessments/STAR"), registry.get("assessments/i-Ready")
    assert star is not None and ready is not None
    one, two = [Path("a.csv")], [Path("a.csv"), Path("b.csv")]
    assert (
        offer_text(one, star, None)
        == "a.csv looks like a Star Assessments file: use Star Assessments?"
    )
    assert offer_text(two, ready, star) == (
        "These 2 files look like i-Ready Diagnostic Math and ELA Assessments files, not Star "
        "Assessments: switch to i-Ready Diagnostic Math and ELA Assessments?"
    )
    assert offer_text(one, ready, None).startswith("a.csv looks like an i-Ready")
    # Where the file would go, when the assessment has more than one slot.
    skill = {"INPUT_FILE_SA": Path("a.csv")}
    assert offer_text(one, star, None, skill).endswith(" It goes in “Skill area”.")
    assert offer_text(two, star, None, skill).endswith("use Star Assessments?")


def test_two_files_claiming_one_slot_are_left_to_the_name_placement(samples_dir: Path) -> None:
    from runway_desktop.bundles.file_identity import identify_file

    registry = load_snapshot()
    psat = registry.get("assessments/PSAT_SAT")
    files = sorted((samples_dir / "PSAT_SAT").glob("*.csv"))
    plan = plan_drop(files, {p: identify_file(p) for p in files}, psat, registry)
    assert plan.action is Action.PLACE
    assert plan.by_slot == {} and plan.others == files


def test_the_offer_bar_is_plain_text_and_starts_hidden(qtbot: QtBot) -> None:
    widget = IdentifyOfferBar()
    qtbot.addWidget(widget)
    assert widget.isHidden()
    widget.show_offer("<b>x.csv</b> looks like a MAP file", "&Use MAP", "&No")
    assert widget.text_label.textFormat() == Qt.TextFormat.PlainText
    assert widget.text() == "<b>x.csv</b> looks like a MAP file"
    with qtbot.waitSignal(widget.declined, timeout=1000):
        left_click(widget.decline_button, QPoint(5, 5))
