"""Ready for translation: the pseudo-locale's transform keeps what a translation must keep, the
translator reaches ``tr()`` and ``QCoreApplication.translate``, ``--lang`` installs it, and the
lupdate template lists the UI's texts (a text missing there has no ``tr()``)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QApplication

from runway_desktop.app import build_parser
from runway_desktop.base.resources import resource_path
from runway_desktop.base.words import install_lookup
from runway_desktop.core.submission_state import SubmissionState, state_label
from runway_desktop.ui.pseudo_locale import PseudoTranslator, looks_pseudo, pseudo
from runway_desktop.ui.translation import PSEUDO, install_translators

TEMPLATE = resource_path("translations", "runway_desktop.ts")
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    "&Submit",
    "Send a &folder…",
    "Sent {count} files to {folder}.",
    "Could not sign in: {message} {next_step}",
    "Downloading {percent:.0f} %",
    "%n file(s) placed.",
    "Argument %1 of %2",
    "Save && close",
    "Line one\nLine two, a little longer",
    "Use https://runway.example.org/api/v1 or C:\\Users\\clerk\\Runway",
    "The folder /home/clerk/Downloads/Runway is gone.",
    "<b>Testing…</b><br>Getting a token",
    "CSV files (*.csv *.CSV);;All files (*)",
    "OK",
]


def kept_parts(text: str) -> list[str]:
    return re.findall(
        r"\{[^{}]*\}|%\d+|%n|&&|https?://\S+|[\w:.~-]*[/\\][\w:./\\~-]*|<[^>]+>", text
    )


@pytest.mark.parametrize("source", SAMPLES)
def test_the_pseudo_text_keeps_what_a_translation_must_keep(source: str) -> None:
    shown = pseudo(source)
    assert shown != source and looks_pseudo(shown), shown
    assert len(shown) >= 1.3 * len(source), (source, shown)
    assert shown.startswith("[") and shown.endswith("]"), shown  # a cut end shows
    for part in kept_parts(source):
        assert part in shown, (part, shown)
    assert shown.count("\n") == source.count("\n")
    # A mnemonic stays a mnemonic: "&" before the same (plain) letter; "&&" stays escaped.
    mnemonics = re.findall(r"(?<!&)&([^&])", source.replace("&&", ""))
    assert re.findall(r"(?<!&)&([^&])", shown.replace("&&", "")) == mnemonics, shown
    # str.format still fills it in with the same names.
    names = re.findall(r"\{(\w+)", source)
    if names:
        shown.format(**{name: 1.5 for name in names})


def test_every_line_grows_and_file_dialog_patterns_stay_at_the_end() -> None:
    shown = pseudo("A first line\nand a second one")
    first, second = shown.split("\n")
    assert len(first) >= 1.3 * len("A first line") and len(second) >= 1.3 * len("and a second one")
    # QFileDialog reads its patterns from the end of each filter.
    assert pseudo("Zip files (*.zip)").endswith("(*.zip)]")
    assert pseudo("All files (*)").endswith("(*)]")
    assert pseudo("") == "" and pseudo("  ") == "  "
    assert not looks_pseudo("Submit PSAT/SAT district-a 2025–26")


@pytest.fixture
def pseudo_installed(qapp: QApplication) -> Iterator[PseudoTranslator]:
    translator = PseudoTranslator()
    assert qapp.installTranslator(translator)
    try:
        yield translator
    finally:
        qapp.removeTranslator(translator)


def test_the_translator_reaches_tr_and_translate(pseudo_installed: PseudoTranslator) -> None:
    class Probe(QObject):
        def text(self) -> str:
            return self.tr("Sent {count} files").format(count=3)

    assert Probe().text() == pseudo("Sent {count} files").format(count=3)
    assert QCoreApplication.translate("Anything", "&Cancel") == pseudo("&Cancel")
    # Qt's own set-up keys are no texts: the layout stays left to right.
    assert QCoreApplication.translate("QGuiApplication", "QT_LAYOUT_DIRECTION") == (
        "QT_LAYOUT_DIRECTION"
    )
    assert QApplication.isLeftToRight()


def test_lang_is_an_option_and_installs_the_translators(qapp: QApplication) -> None:
    assert build_parser().parse_args(["--lang", "pseudo"]).lang == PSEUDO
    assert build_parser().parse_args([]).lang is None
    installed = install_translators(qapp, PSEUDO)
    try:
        assert [type(t) for t in installed] == [PseudoTranslator]
        assert looks_pseudo(QCoreApplication.translate("MainWindow", "History"))
        # The Qt-free core's words for the states come through the same translator.
        assert state_label(SubmissionState.PROCESSED) == pseudo("Processed")
    finally:
        for translator in installed:
            qapp.removeTranslator(translator)
        install_lookup(None)
    # A language without a .qm of its own: nothing of the app's is installed, nothing fails.
    for translator in install_translators(qapp, "xx"):
        qapp.removeTranslator(translator)
    assert QCoreApplication.translate("MainWindow", "History") == "History"


def template_messages(path: Path) -> dict[str, set[str]]:
    """Context → its source texts, as listed in a .ts file."""
    found: dict[str, set[str]] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        found[name] = {m.findtext("source") or "" for m in context.iter("message")}
    return found


def test_the_template_lists_the_ui_texts_under_their_class() -> None:
    messages = template_messages(TEMPLATE)
    assert "&Submit" in messages["SubmitPage"]
    assert "Download new results a&utomatically" in messages["OutputSetsActions"]
    assert "&Check for results now" in messages["HistoryPage"]
    assert "Connect to Runway" in messages["ConnectionDialog"]
    # Constants marked with QT_TRANSLATE_NOOP, and module-level functions' contexts.
    assert {"Submit", "Output sets", "History", "Settings"} <= messages["MainWindow"]
    assert "Drop one file at a time." in messages["FileDrops"]
    # The core's words for the states, marked in the core.
    assert {"Sending", "Couldn't reach Runway", "Processed"} <= messages["SubmissionState"]
    assert "" not in messages  # every tr() sits in a class lupdate can name


@pytest.mark.skipif(not LUPDATE.exists(), reason="pyside6-lupdate is not installed here")
def test_the_template_lists_every_text_of_the_ui(tmp_path: Path) -> None:
    """A text added with tr() is in the template too: regenerate it with the command in
    resources/translations/README.md."""
    fresh = tmp_path / "runway_desktop.ts"
    # The whole package, as the README's command: the core's words are marked where written.
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "runway_desktop").rglob("*.py"))
    subprocess.run(
        [str(LUPDATE), "-silent", "-locations", "none", *sources, "-ts", str(fresh)],
        cwd=ROOT, check=True, timeout=60,
    )  # fmt: skip
    shipped = template_messages(TEMPLATE)
    missing = {
        context: sorted(texts - shipped.get(context, set()))
        for context, texts in template_messages(fresh).items()
    }
    assert not {c: m for c, m in missing.items() if m}, "regenerate the template (README)"
