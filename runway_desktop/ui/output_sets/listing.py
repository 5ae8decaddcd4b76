"""The Output sets listing: one question to Runway at a time (a newer one cancels the older),
its rows prepared off the Qt thread and put in the model, whole or merged, and the sets new
to History recorded. One ``events`` signal carries ListingShown or ListingFailed, once per
question answered; the screen says what it shows from them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from runway_desktop.api.errors import RunwayError
from runway_desktop.api.models import OutputSet
from runway_desktop.core.output_sets import record_sets
from runway_desktop.core.outputs.browse import BrowseFilter, Listing, prepare_listing
from runway_desktop.core.session import Connection, Session
from runway_desktop.ui.output_sets.model import OutputSetsModel

# Gentle: a listing of 10,000 sets is a few megabytes; new results take minutes anyway.
REFRESH_INTERVAL_MS = 60_000


@dataclass(frozen=True)
class ListingShown:
    """The model holds the answer to ``choice`` (told before its new sets are recorded)."""

    choice: BrowseFilter
    sets: list[OutputSet]  # as Runway listed them
    tenants: set[str]  # the districts the listing names


@dataclass(frozen=True)
class ListingFailed:
    error: RunwayError


ListingEvent = ListingShown | ListingFailed


class OutputSetsListing(QObject):
    # Not "event": that would hide QObject.event(), through which Qt delivers this object's
    # own events.
    events = Signal(object)  # a ListingEvent

    def __init__(
        self, services: Session, model: OutputSetsModel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.model = model
        self.task: asyncio.Future[None] | None = None
        self.loaded_filter: BrowseFilter | None = None  # the question the model answers
        self.loaded_at: datetime | None = None  # None: list again when next shown
        self._recorded: set[str] = set()  # set uids already written to the history

    def start(self, connection: Connection, choice: BrowseFilter) -> asyncio.Future[None]:
        if self.task is not None and not self.task.done():
            self.task.cancel()  # a newer question replaces the older one
        self.task = asyncio.ensure_future(self._load(connection, choice))
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def stale(self) -> bool:
        """Listed long enough ago (or invalidated) to be worth asking again when shown."""
        age = (datetime.now().astimezone() - self.loaded_at) if self.loaded_at else None
        return age is None or age.total_seconds() * 1000 > REFRESH_INTERVAL_MS / 4

    async def _load(self, connection: Connection, choice: BrowseFilter) -> None:
        profile = connection.profile.name
        try:
            sets = await connection.client.list_output_sets(choice.to_query())
            # A refresh of the listing shown (the minute timer, Refresh) makes rows only for
            # the sets not shown yet; the model must still be the one these uids came from.
            known = self.model.known_uids() if self.loaded_filter == choice else None
            generation = self.model.generation
            # Rows, their haystacks and 100,000 local states are prepared off the Qt thread:
            # no keystroke, not even the first after a listing, makes haystacks here.
            prepared = await asyncio.to_thread(self._prepare, sets, profile, known)
            if known is not None and (
                self.loaded_filter != choice
                or self.model.generation != generation
                or not known <= prepared.listed
            ):
                # The model changed meanwhile, or a set is gone: every row is needed.
                known = None
                prepared = await asyncio.to_thread(self._prepare, sets, profile, None)
        except RunwayError as error:
            self.events.emit(ListingFailed(error))
            return
        if known is not None:
            self.model.merge_rows(prepared.rows, prepared.states, listed=prepared.listed)
        else:
            self.model.set_rows(prepared.rows, prepared.states)
        self.loaded_filter, self.loaded_at = choice, datetime.now().astimezone()
        self.events.emit(ListingShown(choice, sets, prepared.tenants))
        new = prepared.unrecorded
        if new:  # History derives "got a result" from these (written off the Qt thread)
            self._recorded.update(s.uid for s in new)
            await record_sets(self.services.history, new)

    def _prepare(self, sets: list[OutputSet], profile: str, known: set[str] | None) -> Listing:
        # In a worker thread; the Qt thread only adds to _recorded, after this has returned.
        return prepare_listing(sets, self.services.assessment_name, self.services.history,
                               profile, known=known, recorded=self._recorded,
                               link_submissions=True)  # fmt: skip
