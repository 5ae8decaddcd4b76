"""The output-set table: one model row per set, a proxy for the instant local search.

10,000 sets must list in a blink and search as you type, so: a row's texts are made when a
paint first asks for them (outputs/browse.py), sorting reorders a Python list instead of
letting a proxy call back into Python for each of ~140,000 comparisons, and the search proxy
filters with one list comprehension per word over precomputed lower-case haystacks instead of
being asked about each of 10,000 rows from C++ on every keystroke.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import compress
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from runway_desktop.outputs.browse import (
    STATE_NONE,
    STATE_QUEUED,
    LocalState,
    SetRow,
    relative_age,
)
from runway_desktop.outputs.downloader import STATE_COMPLETE, STATE_DOWNLOADING, STATE_FAILED
from runway_desktop.ui.theme import DARK, LIGHT, is_dark

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
COLUMNS = (
    "Created",
    "District (tenant)",
    "School year",
    "Assessment",
    "Files",
    "Sent to ODS",
    "On this computer",
)
COL_CREATED, COL_TENANT, COL_YEAR, COL_ASSESSMENT, COL_FILES, COL_ODS, COL_STATE = range(7)
HEADER_TIPS = {
    COL_CREATED: "When Runway made the result, on this computer's clock",
    COL_TENANT: "The district (tenant) the assessment file was sent for",
    COL_ODS: "Whether Runway also loaded these records into the district's ODS",
    COL_STATE: "Click a row's entry here to download it, or to open its folder",
}
STATE_ORDER = {STATE_FAILED: 0, STATE_DOWNLOADING: 1, STATE_QUEUED: 2, STATE_NONE: 3}
UidRole = Qt.ItemDataRole.UserRole + 1
ROW_HEIGHT = 28
COLUMN_WIDTHS = (230, 175, 100, 0, 70, 110, 200)  # 0: the assessment column takes the rest
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole


def theme_colour(token: str) -> QColor:
    app = QGuiApplication.instance()
    dark = isinstance(app, QGuiApplication) and is_dark(app)
    return QColor((DARK if dark else LIGHT)[token])


def state_text(state: LocalState) -> str:
    if state.state == STATE_QUEUED:
        return "Waiting to download…"
    if state.state == STATE_DOWNLOADING:
        return f"Downloading {state.fraction * 100:.0f} %"
    if state.state == STATE_COMPLETE:
        return "Downloaded · Open folder"
    if state.state == STATE_FAILED:
        return "Failed · Try again"
    return "Not downloaded · Download"


def state_tip(state: LocalState) -> str:
    if state.state == STATE_COMPLETE and state.folder is not None:
        return f"Every file arrived complete. Click to open:\n{state.folder}"
    if state.state == STATE_FAILED:
        return f"{state.message or 'The download failed.'}\nClick to try again."
    if state.state == STATE_NONE:
        return "Not downloaded yet. Click to download every file of this set."
    return "Saving to:\n" + str(state.folder) if state.folder else ""


class OutputSetsModel(QAbstractTableModel):
    downloadingChanged = Signal(bool)  # whether any set is downloading (progress bars shown)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SetRow] = []
        self.states: dict[str, LocalState] = {}
        self.generation = 0  # bumped on every change of rows or order
        self._position: dict[str, int] = {}
        self._searches: list[str] | None = None  # row order; built on the first search
        self._warmed = 0  # rows from the top whose haystack warm_search has made
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
            return COLUMNS[section]
        if role == _TOOLTIP:
            return HEADER_TIPS.get(section)
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
            return self._tooltip(row, column)
        if column == COL_CREATED:
            return f"{row.created_text}  ·  {relative_age(row.created_local, self.now())}"
        if column == COL_TENANT:
            return row.output_set.tenant
        if column == COL_YEAR:
            return row.school_year
        if column == COL_ASSESSMENT:
            return row.assessment
        if column == COL_FILES:
            return row.files_text
        if column == COL_ODS:
            return "Yes" if row.output_set.sent_to_ods else "No"
        return state_text(self.state_of(row.uid))

    def _tooltip(self, row: SetRow, column: int) -> str | None:
        if column == COL_CREATED:
            return row.created_exact
        if column == COL_ASSESSMENT:
            return row.output_set.bundle or "Runway did not say which assessment"
        if column == COL_FILES:
            return row.files_tip
        if column == COL_STATE:
            return state_tip(self.state_of(row.uid))
        return f"Output set {row.uid}\nSubmission (job) {row.output_set.job_uid}"

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
        self._warmed = 0
        self._reindex()
        self.endResetModel()
        self._track_downloading()

    def merge_rows(self, rows: list[SetRow], states: dict[str, LocalState]) -> int:
        """A refresh of the same listing: add what is new, keep selection; returns how many.

        Sets are never edited on the server, only added (a re-run makes new ones), so when
        every known set is still listed only the new rows are inserted.
        """
        listed = {r.uid for r in rows}
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

    def _track_downloading(self) -> None:
        before = bool(self._downloading)
        self._downloading = {u for u, s in self.states.items() if s.state == STATE_DOWNLOADING}
        if bool(self._downloading) != before:
            self.downloadingChanged.emit(not before)

    @property
    def searches(self) -> list[str]:
        """Every row's lower-case haystack, in row order: what the local search looks in."""
        if self._searches is None:
            self._searches = [row.search for row in self.rows]
        return self._searches

    def warm_search(self, count: int) -> bool:
        """Make the haystacks of up to ``count`` more rows ahead of the first keystroke (in
        idle time, a slice at a time); True once every row has one."""
        end = min(len(self.rows), self._warmed + count)
        for row in self.rows[self._warmed : end]:
            row.prepare_search()
        self._warmed = end
        return end >= len(self.rows)

    def _state_column_changed(self) -> None:
        if self.rows:
            top, bottom = self.index(0, COL_STATE), self.index(len(self.rows) - 1, COL_STATE)
            self.dataChanged.emit(top, bottom, [_DISPLAY, _TOOLTIP, _FOREGROUND])


def matches(searches: list[str], words: tuple[str, ...]) -> list[bool]:
    """Which haystacks hold every word: one tight comprehension per word (10,000 rows ≈ 1 ms)."""
    first, *rest = words
    accepted = [first in s for s in searches]
    for word in rest:
        accepted = [a and word in s for a, s in zip(accepted, searches, strict=True)]
    return accepted


class OutputSetsProxy(QAbstractProxyModel):
    """Local search: every word typed must appear somewhere in the set's row (any order).

    A proxy model like any other to the view (selection, sorting and the current row survive
    a keystroke), but not a QSortFilterProxyModel: that one calls ``filterAcceptsRow`` from
    C++ into Python once per source row on every keystroke, 10,000 crossings (~12 ms) before
    anything is painted. Here a keystroke is one list comprehension per word over the
    precomputed haystacks (a narrowing keystroke only rechecks the rows still shown) and one
    layout change. Without a search it maps one to one.
    """

    def __init__(self, source: OutputSetsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._words: tuple[str, ...] = ()
        self._shown: list[int] | None = None  # proxy row → source row; None: every row
        self._saved: list[tuple[QModelIndex, str | None]] = []
        self.setSourceModel(source)
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._after_reset)
        source.layoutAboutToBeChanged.connect(self._before_layout)
        source.layoutChanged.connect(self._after_layout)
        source.rowsAboutToBeInserted.connect(self._before_layout)
        source.rowsInserted.connect(self._after_layout)
        source.rowsAboutToBeRemoved.connect(self._before_layout)
        source.rowsRemoved.connect(self._after_layout)
        source.dataChanged.connect(self._source_data_changed)

    def search_words(self) -> tuple[str, ...]:
        return self._words

    def set_search(self, text: str) -> None:
        words = tuple(text.casefold().split())
        if words == self._words:
            return
        previous, self._words = self._words, words
        self._before_layout()
        self._refilter(previous)
        self._after_layout(refilter=False)

    # -- the mapping ---------------------------------------------------------------------------
    def _refilter(self, previous: tuple[str, ...] = ()) -> None:
        words = self._words
        if not words:
            self._shown = None
            return
        searches = self.source.searches
        if (
            previous
            and self._shown is not None
            and all(any(old in word for word in words) for old in previous)
        ):
            # Typing on: every old word is inside a new one, so only the rows shown can stay,
            # and only the words not searched before need looking for.
            shown = self._shown
            for word in words:
                if word not in previous:
                    shown = [i for i in shown if word in searches[i]]
            self._shown = shown
        else:
            self._shown = list(compress(range(len(searches)), matches(searches, words)))

    def _proxy_row(self, source_row: int) -> int | None:
        shown = self._shown  # ascending: found by bisection, no reverse table to build
        if shown is None:
            return source_row
        at = bisect_left(shown, source_row)
        return at if at < len(shown) and shown[at] == source_row else None

    def _source_row(self, proxy_row: int) -> int:
        return proxy_row if self._shown is None else self._shown[proxy_row]

    # -- following the source --------------------------------------------------------------
    def _before_layout(self, *_args: object) -> None:
        self.layoutAboutToBeChanged.emit()
        rows = self.source.rows
        saved = []
        for index in self.persistentIndexList():
            number = self._source_row(index.row()) if index.isValid() else -1
            saved.append((index, rows[number].uid if 0 <= number < len(rows) else None))
        self._saved = saved

    def _after_layout(self, *_args: object, refilter: bool = True) -> None:
        if refilter:
            self._refilter()
        before, after = [], []
        for index, uid in self._saved:
            number = None if uid is None else self.source.row_of(uid)
            row = None if number is None else self._proxy_row(number)
            before.append(index)
            after.append(_ROOT if row is None else self.createIndex(row, index.column()))
        self._saved = []
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _after_reset(self) -> None:
        self._refilter()
        self.endResetModel()

    def _source_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        if top.row() == bottom.row():
            row = self._proxy_row(top.row())
            if row is not None:
                self.dataChanged.emit(
                    self.index(row, top.column()), self.index(row, bottom.column()), roles
                )
        elif self.rowCount():
            last = self.rowCount() - 1
            self.dataChanged.emit(
                self.index(0, top.column()), self.index(last, bottom.column()), roles
            )

    # -- Qt proxy model API -------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.isValid():
            return 0
        return len(self.source.rows) if self._shown is None else len(self._shown)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def hasChildren(self, parent: Index = _ROOT) -> bool:
        return not parent.isValid() and self.rowCount() > 0

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if parent.isValid() or not (0 <= row < self.rowCount() and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: Index) -> QModelIndex: ...
    def parent(self, child: Index | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        return QModelIndex()

    def sibling(self, row: int, column: int, idx: Index) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxyIndex: Index) -> QModelIndex:  # noqa: N803 (Qt's name)
        row = proxyIndex.row()
        if not proxyIndex.isValid() or row >= self.rowCount():
            return QModelIndex()
        return self.source.index(self._source_row(row), proxyIndex.column())

    def mapFromSource(self, sourceIndex: Index) -> QModelIndex:  # noqa: N803 (Qt's name)
        if not sourceIndex.isValid():
            return QModelIndex()
        row = self._proxy_row(sourceIndex.row())
        return QModelIndex() if row is None else self.createIndex(row, sourceIndex.column())

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        row = index.row()
        if not index.isValid() or row >= self.rowCount():
            return None
        return self.source.cell(self._source_row(row), index.column(), role)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        return self.source.headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The source sorts its list in one go; the proxy keeps the source order.
        self.source.sort(column, order)


class StateDelegate(QStyledItemDelegate):
    """The "On this computer" cell: its text, plus a thin bar while downloading."""

    def __init__(self, model: OutputSetsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        uid = index.data(UidRole)
        state = self.model.state_of(uid) if isinstance(uid, str) else LocalState()
        if state.state != STATE_DOWNLOADING:
            return
        rect: QRect = option.rect
        track = QRect(rect.left() + 6, rect.bottom() - 5, rect.width() - 12, 3)
        painter.save()
        painter.fillRect(track, theme_colour("track"))
        done = QRect(track)
        done.setWidth(max(1, int(track.width() * min(1.0, state.fraction))))
        painter.fillRect(done, theme_colour("accent"))
        painter.restore()


def configure_table(table: QTableView, model: OutputSetsModel) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    rows = table.verticalHeader()
    # Fixed heights: no per-row size questions, whatever the row count.
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(ROW_HEIGHT)
    rows.hide()
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for column, width in enumerate(COLUMN_WIDTHS):
        if width:
            header.resizeSection(column, width)
    header.setSectionResizeMode(COL_ASSESSMENT, QHeaderView.ResizeMode.Stretch)
    header.setSortIndicator(COL_CREATED, Qt.SortOrder.DescendingOrder)
    # The progress bar's delegate paints in Python (a few ms per paint for the visible rows):
    # it is the state column's delegate only while some set is downloading.
    bars = StateDelegate(model, table)

    def show_bars(downloading: bool) -> None:
        table.setItemDelegateForColumn(COL_STATE, bars if downloading else table.itemDelegate())
        table.viewport().update()

    model.downloadingChanged.connect(show_bars)
    show_bars(model.downloading())
