"""The batch window's Save plan… and Open plan…: the file dialogs, the plan as the window shows
it, and writing it (off the Qt thread, atomically).

The file is the CLI's plan file (core/batch/plan_file.py): ``runway-desktop-cli batch run``
sends it as the window would, and the window opens one the CLI made. A row the clerk unticked
is written as its files, ``[[unplaced]]`` with the reason, so the file still names them but
never sends them; so is a file left out of a row. The dialogs start in the folder a plan was
last saved in or opened from (``START_FOLDERS``, "batch-plan").
"""

from __future__ import annotations

import asyncio
import errno
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from runway_desktop.base.atomic_files import atomic_write_bytes
from runway_desktop.bundles.model import Registry
from runway_desktop.core.batch.plan import BatchPlan
from runway_desktop.core.batch.plan_file import (
    PlanFormatError,
    ShownRow,
    plan_as_shown,
    plan_text,
    read_plan,
)
from runway_desktop.core.start_folders import START_FOLDERS
from runway_desktop.ui.batch.plan_tree import PlanTree

START_KEY = "batch-plan"
DEFAULT_NAME = "batch-plan.toml"


def _filter() -> str:
    return QCoreApplication.translate("BatchPlanFiles", "Batch plans (*.toml)")


def preload() -> None:
    """Start reading the remembered folders (off this thread), well before a dialog."""
    START_FOLDERS.preload()


# -- the dialogs -----------------------------------------------------------------------------
def choose_save_path(parent: QWidget, plan_folder: Path) -> Path | None:
    """Where to save the plan (None: cancelled); suggested: beside the files it sends."""
    folder = plan_folder  # no disk is read here (the Qt thread): the dialog copes with a gone one
    title = QCoreApplication.translate("BatchPlanFiles", "Save the plan")
    path, _ = QFileDialog.getSaveFileName(parent, title, str(folder / DEFAULT_NAME), _filter())
    if not path:
        return None
    START_FOLDERS.remember(START_KEY, Path(path))
    return Path(path)


def choose_open_path(parent: QWidget) -> Path | None:
    """The plan file to open (None: cancelled)."""
    start = str(START_FOLDERS.start_for(START_KEY))
    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("BatchPlanFiles", "Open a plan"), start, _filter()
    )
    if not path:
        return None
    START_FOLDERS.remember(START_KEY, Path(path))
    return Path(path)


# -- the plan as the window shows it ---------------------------------------------------------
def shown_plan(plan: BatchPlan, tree: PlanTree) -> BatchPlan:
    """``plan`` with the tree's rows as they now stand: edits kept, unticked rows not sent."""
    rows = [
        ShownRow(
            tree.item(i),
            ticked=tree.is_chosen(i),
            left_out=tuple(one.path for one in tree.row(i).files if not one.included),
        )
        for i in range(tree.row_count())
    ]
    return plan_as_shown(
        plan, rows,
        not_ticked=QCoreApplication.translate(
            "BatchPlanFiles", "not ticked in the batch window"
        ),
        left_out=QCoreApplication.translate(
            "BatchPlanFiles", "left out of its submission in the batch window"
        ),
    )  # fmt: skip


# -- saving and opening ----------------------------------------------------------------------
def file_text(plan: BatchPlan, tree: PlanTree, registry: Registry) -> str:
    """The plan file's text for the rows as they stand now (on the Qt thread: it reads them)."""
    return plan_text(shown_plan(plan, tree), registry)


async def save_plan(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` in a worker thread (a temporary file in the same folder, then
    renamed over it: never half a plan); what to tell the clerk, either way."""
    try:
        await asyncio.to_thread(_write, path, text.encode("utf-8"))
    except OSError as exc:
        why = exc.strerror or str(exc)
        message = QCoreApplication.translate(
            "BatchPlanFiles",
            "The plan could not be saved as {0} ({1}). Choose another folder and save again; "
            "the plan here is kept.",
        )
        return message.format(path, why)
    return QCoreApplication.translate("BatchPlanFiles", "The plan is saved in {0}.").format(path)


def _write(path: Path, data: bytes) -> None:
    """In the worker thread. Into a folder that is there (one is never made here), atomically."""
    if not path.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent))
    atomic_write_bytes(path, data)


def saving_text(path: Path) -> str:
    return QCoreApplication.translate("BatchPlanFiles", "Saving the plan as {0}…").format(path)


def opening_text(path: Path) -> str:
    return QCoreApplication.translate("BatchPlanFiles", "Opening {0}…").format(path)


def not_opened_text(path: Path, why: object) -> str:
    """A file that is not a plan (its PlanFormatError says why, plainly), or one the window
    cannot send."""
    return QCoreApplication.translate("BatchPlanFiles", "{0} was not opened: {1}").format(
        path.name, why
    )


def read_for(path: Path, partner: str) -> BatchPlan:
    """The plan in ``path`` (blocking: a worker thread's); PlanFormatError when it is not a
    plan, or is another partner's than the one the window sends for."""
    plan = read_plan(path)
    if plan.partner and plan.partner != partner:
        text = QCoreApplication.translate(
            "BatchPlanFiles",
            "the plan is for partner {0}; this window sends for {1}. Choose {0} on the Submit "
            "screen, then open the plan again.",
        )
        raise PlanFormatError(text.format(plan.partner, partner))
    return plan
