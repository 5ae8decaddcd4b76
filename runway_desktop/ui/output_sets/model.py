"""The output-set table: one model row per set, a proxy for the instant local search.

10,000 sets must list in a blink and search as you type, so: a row's texts are made when a
paint first asks for them (outputs/browse.py), sorting reorders a Python list instead of
letting a proxy call back into Python for each of ~140,000 comparisons, and the search proxy
filters with one list comprehension per word over precomputed lower-case haystacks instead of
being asked about each of 10,000 rows from C++ on every keystroke.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QWidget,
)

from runway_desktop.core.outputs.browse import (
    STATE_NONE,
    STATE_QUEUED,
    LocalState,
    SetRow,
    relative_age,
)
from runway_desktop.core.outputs.downloader import (
    STATE_COMPLETE,
    STATE_DOWNLOADING,
    STATE_FAILED,
    verification_text,
)
from runway_desktop.ui.theme import DARK, LIGHT, is_dark
from runway_desktop.ui.translation import QT_TRANSLATE_NOOP, translated
from runway_desktop.ui.widgets.plain_text import plain_tooltip

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
# The headers and their tips, translated where shown (``translated``, context "OutputSetsModel").
COLUMNS = (
    QT_TRANSLATE_NOOP("OutputSetsModel", "Created"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "District"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "School year"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "Assessment"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "Files"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "Sent to ODS"),
    QT_TRANSLATE_NOOP("OutputSetsModel", "On this computer"),
)
COL_CREATED, COL_TENANT, COL_YEAR, COL_ASSESSMENT, COL_FILES, COL_ODS, COL_STATE = range(7)
HEADER_TIPS = {
    COL_CREATED: QT_TRANSLATE_NOOP(
        "OutputSetsModel", "When Runway made the result, on this computer's clock"
    ),
    COL_TENANT: QT_TRANSLATE_NOOP(
        "OutputSetsModel",
        "The district the assessment file was sent for (Runway calls it a tenant)",
    ),
    COL_ODS: QT_TRANSLATE_NOOP(
        "OutputSetsModel",
        "Whether Runway also loaded these records into the district's ODS (its Ed-Fi data store)",
    ),
    COL_STATE: QT_TRANSLATE_NOOP(
        "OutputSetsModel", "Click a row's entry here to download it, or to open its folder"
    ),
}
STATE_ORDER = {STATE_FAILED: 0, STATE_DOWNLOADING: 1, STATE_QUEUED: 2, STATE_NONE: 3}
UidRole = Qt.ItemDataRole.UserRole + 1
ROW_HEIGHT = 28
COLUMN_WIDTHS = (190, 135, 100, 0, 65, 100, 190)  # 0: the assessment column takes the rest
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_HAYSTACK = attrgetter("_search")  # SetRow's haystack, None until made


def theme_colour(token: str) -> QColor:
    app = QGuiApplication.instance()
    dark = isinstance(app, QGuiApplication) and is_dark(app)
    return QColor((DARK if dark else LIGHT)[token])


def state_text(state: LocalState) -> str:
    if state.state == STATE_QUEUED:
        return QCoreApplication.translate("OutputSetsModel", "Waiting to download…")
    if state.state == STATE_DOWNLOADING:
        text = QCoreApplication.translate("OutputSetsModel", "Downloading {percent} %")
        return text.format(percent=f"{state.fraction * 100:.0f}")
    if state.state == STATE_COMPLETE:
        return QCoreApplication.translate("OutputSetsModel", "Downloaded · Open folder")
    if state.state == STATE_FAILED:
        return QCoreApplication.translate("OutputSetsModel", "Failed · Try again")
    return QCoreApplication.translate("OutputSetsModel", "Not downloaded · Download")


def state_tip(state: LocalState) -> str:
    if state.state == STATE_COMPLETE and state.folder is not None:
        checks = "".join(
            f"\n  {name}: {verification_text(kind)}"
            for name, kind in state.verification
            if verification_text(kind)
        )
        text = QCoreApplication.translate(
            "OutputSetsModel", "Every file arrived complete.{checks}\nClick to open:\n{folder}"
        )
        return text.format(checks=checks, folder=state.folder)
    if state.state == STATE_FAILED:
        failed = state.message or QCoreApplication.translate(
            "OutputSetsModel", "The download failed."
        )
        return failed + "\n" + QCoreApplication.translate("OutputSetsModel", "Click to try again.")
    if state.state == STATE_NONE:
        return QCoreApplication.translate(
            "OutputSetsModel", "Not downloaded yet. Click to download every file of this set."
        )
    if not state.folder:
        return ""
    return QCoreApplication.translate("OutputSetsModel", "Saving to:\n{folder}").format(
        folder=state.folder
    )


def link_tip(row: SetRow) -> str:
    """The tooltip's lines on the submission of ours a set came from ("" for another's)."""
    link = row.link
    if link is None:
        return ""
    text = f"{link.text[0].upper()}{link.text[1:]}, #{link.submission_id}"
    return f"\n{text}:\n" + "\n".join(f"  {name}" for name in link.file_names)


class OutputSetsModel(QAbstractTableModel):
    downloadingChanged = Signal(bool)  # whether any set is downloading (progress bars shown)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SetRow] = []
        self.states: dict[str, LocalState] = {}
        self.generation = 0  # bumped on every change of rows or order
        self._position: dict[str, int] = {}
        self._searches: list[str] | None = None  # row order; built on the first search
        self._downloading: set[str] = set()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._colours: dict[str, QColor] = {}
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _DISPLAY:
            return translated("OutputSetsModel", COLUMNS[section])
        if role == _TOOLTIP:
            tip = HEADER_TIPS.get(section)
            return translated("OutputSetsModel", tip) if tip else None
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        return self.cell(index.row(), index.column(), role)

    def cell(self, row_number: int, column: int, role: int = _DISPLAY) -> Any:
        """``data`` without a QModelIndex (the proxy asks this directly)."""
        # Called for every visible cell and role on each paint: answer the common "no" first.
        if role not in (_DISPLAY, _TOOLTIP, _FOREGROUND, UidRole):
            return None
        row = self.rows[row_number]
        if role == UidRole:
            return row.uid
        if role == _FOREGROUND:
            return self._foreground(row, column)
        if role == _TOOLTIP:
            return plain_tooltip(self._tooltip(row, column))  # file names: not rich text
        if column == COL_CREATED:
            return f"{row.created_text}  ·  {relative_age(row.created_local, self.now())}"
        if column == COL_TENANT:
            return row.output_set.tenant
        if column == COL_YEAR:
            return row.school_year
        if column == COL_ASSESSMENT:
            # A set of ours says whose it is: the clerk finds the results of what they sent.
            return row.assessment if row.link is None else f"{row.assessment} · {row.link.text}"
        if column == COL_FILES:
            return row.files_text
        if column == COL_ODS:
            return self.tr("Yes") if row.output_set.sent_to_ods else self.tr("No")
        return state_text(self.state_of(row.uid))

    def _tooltip(self, row: SetRow, column: int) -> str | None:
        if column == COL_CREATED:
            return row.created_exact
        if column == COL_ASSESSMENT:
            unknown = row.output_set.bundle or self.tr("Runway did not say which assessment")
            return unknown + link_tip(row)
        if column == COL_FILES:
            return row.files_tip
        if column == COL_STATE:
            return state_tip(self.state_of(row.uid))
        ids = self.tr("Output set {set}\nSubmission (job) {job}")
        return ids.format(set=row.uid, job=row.output_set.job_uid) + link_tip(row)

    def _foreground(self, row: SetRow, column: int) -> QColor | None:
        if column == COL_CREATED:
            return None
        if column != COL_STATE:
            return None
        state = self.state_of(row.uid).state
        token = {STATE_FAILED: "error_text", STATE_NONE: "accent", STATE_COMPLETE: "accent"}.get(
            state, "muted"
        )
        if token not in self._colours:
            self._colours[token] = theme_colour(token)
        return self._colours[token]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        uids = [self.rows[i.row()].uid for i in before]
        self._order(self.rows)
        self._reindex()
        after = [
            self.index(self._position[uid], i.column()) for uid, i in zip(uids, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _order(self, rows: list[SetRow]) -> None:
        if self._sort is not None:
            column, order = self._sort
            rows.sort(key=self._sort_key(column), reverse=order == Qt.SortOrder.DescendingOrder)

    def _sort_key(self, column: int) -> Callable[[SetRow], Any]:
        if column == COL_CREATED:
            return lambda r: r.output_set.created_at
        if column == COL_FILES:
            return lambda r: len(r.output_set.files)
        if column == COL_ODS:
            return lambda r: r.output_set.sent_to_ods
        if column == COL_STATE:
            return lambda r: STATE_ORDER.get(self.state_of(r.uid).state, 9)
        texts: dict[int, Callable[[SetRow], str]] = {
            COL_TENANT: lambda r: r.output_set.tenant,
            COL_YEAR: lambda r: r.output_set.school_year,
            COL_ASSESSMENT: lambda r: r.assessment,
        }
        text = texts[column]
        return lambda r: (text(r).casefold(), r.output_set.created_at)

    # -- feeding it ------------------------------------------------------------------------
    def set_rows(self, rows: list[SetRow], states: dict[str, LocalState]) -> None:
        """Replace everything (new filters): selection and scroll position start afresh."""
        live = self._live_states()
        rows = list(rows)
        self._order(rows)  # before the reset: one reset, no layout change after it
        self.beginResetModel()
        self.rows = rows
        self.states = {**states, **live}
        self._reindex()
        self.endResetModel()
        self._track_downloading()

    def merge_rows(
        self,
        rows: list[SetRow],
        states: dict[str, LocalState],
        *,
        listed: set[str] | None = None,
    ) -> int:
        """A refresh of the same listing: add what is new, keep selection; returns how many.

        Sets are never edited on the server, only added (a re-run makes new ones), so when
        every known set is still listed only the new rows are inserted. ``listed``: every uid
        of the listing, when ``rows`` holds only the sets not known yet (the screen makes no
        row for the 100,000 it shows already); the caller has checked that none is gone.
        """
        listed = {r.uid for r in rows} if listed is None else listed
        if not self._position.keys() <= listed:
            self.set_rows(rows, states)
            return len(rows)
        self.states = {**states, **self._live_states()}
        self._track_downloading()
        new = [r for r in rows if r.uid not in self._position]
        if new:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self.rows.extend(new)
            self._reindex()
            self.endInsertRows()
            if self._sort is not None:
                self.sort(*self._sort)
        self._state_column_changed()
        return len(new)

    def _live_states(self) -> dict[str, LocalState]:
        # What this session is doing right now wins over the stored record.
        return {uid: s for uid, s in self.states.items() if s.busy}

    def set_state(self, uid: str, state: LocalState) -> None:
        self.states[uid] = state
        before = bool(self._downloading)
        if state.state == STATE_DOWNLOADING:
            self._downloading.add(uid)
        else:
            self._downloading.discard(uid)
        if bool(self._downloading) != before:
            self.downloadingChanged.emit(not before)
        position = self._position.get(uid)
        if position is not None:
            cell = self.index(position, COL_STATE)
            self.dataChanged.emit(cell, cell, [_DISPLAY, _TOOLTIP, _FOREGROUND])

    def downloading(self) -> bool:
        return bool(self._downloading)

    def state_of(self, uid: str) -> LocalState:
        return self.states.get(uid) or LocalState()

    def known_uids(self) -> set[str]:
        return set(self._position)

    def row_of(self, uid: str) -> int | None:
        return self._position.get(uid)

    def _reindex(self) -> None:
        self.generation += 1
        self._position = {row.uid: i for i, row in enumerate(self.rows)}
        self._searches = None
        if self.rows and self.rows[0]._search is not None:
            # Rows from a listing come with their haystacks: the list of them costs ~10 ms
            # for 100,000 rows (a memory walk), paid here with the listing's own work rather
            # than by the first keystroke.
            self._searches = self.searches

    def _track_downloading(self) -> None:
        before = bool(self._downloading)
        self._downloading = {u for u, s in self.states.items() if s.state == STATE_DOWNLOADING}
        if bool(self._downloading) != before:
            self.downloadingChanged.emit(not before)

    @property
    def searches(self) -> list[str]:
        """Every row's lower-case haystack, in row order: what the local search looks in."""
        if self._searches is None:
            # Read in C (attrgetter): the rows come with their haystacks made in the listing's
            # worker thread, and 100,000 property calls here cost the first keystroke ~20 ms.
            found: list[str | None] = list(map(_HAYSTACK, self.rows))
            if not all(found):  # rows made elsewhere (tests): make the missing ones; all() as
                # ``None in`` would compare each text with None (~10 ms)
                found = [text or row.search for text, row in zip(found, self.rows, strict=True)]
            self._searches = cast("list[str]", found)
        return self._searches

    def _state_column_changed(self) -> None:
        if self.rows:
            top, bottom = self.index(0, COL_STATE), self.index(len(self.rows) - 1, COL_STATE)
            self.dataChanged.emit(top, bottom, [_DISPLAY, _TOOLTIP, _FOREGROUND])
