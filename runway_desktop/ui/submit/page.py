"""The Submit screen: the form, a Submit button that says why it is disabled, and the live
progress of a running submission. Talks to the core only through PipelineRunner.

The form and its buttons are laid out in ``form_page.SubmitFormPage``, the progress in
``progress_panel.ProgressPanel``; this screen decides what may be sent and follows the run."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QStackedWidget, QVBoxLayout, QWidget

from runway_desktop.api.errors import ErrorCode, RunwayError
from runway_desktop.base.formatting import school_year_label
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.core.session import Connection, Session
from runway_desktop.core.submission_state import DerivedState
from runway_desktop.core.submit.checks import find_mismatches, hard_errors
from runway_desktop.core.submit.events import (
    Finished,
    Mismatch,
    SubmissionInvalid,
    SubmissionRequest,
    SubmissionResult,
)
from runway_desktop.core.submit.form_values import FormValues, submission_request
from runway_desktop.ui.event_adapter import connect_handlers
from runway_desktop.ui.submit.form import SubmitForm
from runway_desktop.ui.submit.form_page import SubmitFormPage
from runway_desktop.ui.submit.pipeline_runner import (
    PipelineFactory,
    PipelineRunner,
    pipeline_factory,
)
from runway_desktop.ui.submit.progress_panel import ProgressPanel
from runway_desktop.ui.submit.send_anyway_confirm import SendAnywayConfirm


class SubmitPage(QWidget):
    showOutputsRequested = Signal()
    submissionFinished = Signal(object)  # SubmissionResult
    sendFolderRequested = Signal()  # "Send a folder…": the main window opens the batch window
    batchRequested = Signal(list)  # list[Path]: a drop that makes several submissions

    def __init__(
        self,
        services: Session,
        connection: Callable[[], Connection | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SubmitPage")
        self.services = services
        self._connection = connection
        self._last: FormValues | None = None
        self._last_result: SubmissionResult | None = None
        self._not_enabled: dict[str, set[str]] = {}
        # The mismatches the user chose to send anyway for the last submission (a Retry of it
        # keeps the choice); the open "Send anyway?" box, if any.
        self._last_accepted: tuple[str, ...] = ()
        self.confirm: SendAnywayConfirm | None = None
        self.runner = PipelineRunner(self)

        self.form = SubmitForm(self)
        self.submit_button = QPushButton(self.tr("&Submit"), self)  # Alt+S
        self.submit_button.setObjectName("PrimaryButton")
        self.submit_button.setDefault(True)
        self.submit_button.setToolTip(self.tr("Send these files to Runway (Ctrl+Enter)"))
        # Shown only when nothing but files that look wrong stops the submission.
        self.send_anyway_button = QPushButton(self.tr("S&end anyway…"), self)  # Alt+E
        self.send_anyway_button.setObjectName("SendAnywayButton")
        self.send_anyway_button.setToolTip(
            self.tr("Send the files as they are, after a confirmation; History records the choice.")
        )
        self.send_anyway_button.hide()
        self.folder_button = QPushButton(self.tr("Send a &folder…"), self)  # Alt+F
        self.folder_button.setObjectName("SendFolderButton")
        self.folder_button.setToolTip(
            self.tr("Plan a folder of vendor files into submissions, review them, and send them.")
        )
        self.folder_button.clicked.connect(self.sendFolderRequested)
        self.form.batchRequested.connect(self.batchRequested)
        buttons = [self.folder_button, self.send_anyway_button, self.submit_button]
        form_page = SubmitFormPage(services, self.form, buttons, self)
        # Its parts by the names the screen, the window and the tests have always used.
        self.banner, self.form_scroll = form_page.banner, form_page.form_scroll
        self.why_disabled, self.action_bar = form_page.why_disabled, form_page.action_bar
        self.already_sent = form_page.already_sent

        self.panel = ProgressPanel(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(form_page)
        self.stack.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.form.changed.connect(self.on_form_changed)
        self.submit_button.clicked.connect(self.on_submit)
        self.send_anyway_button.clicked.connect(self.on_send_anyway)
        connect_handlers(self.runner.events, {
            **self.panel.handlers(), Finished: lambda e: self.on_finished(e.result),
        })  # fmt: skip
        self.panel.cancelRequested.connect(self.runner.cancel)
        self.panel.backRequested.connect(self.on_back)
        self.panel.retryRequested.connect(self.on_retry)
        self.panel.submitAnotherRequested.connect(self.on_submit_another)
        self.panel.showOutputsRequested.connect(self.showOutputsRequested)
        self.on_form_changed()

    def set_partners(self, partners: list[str], default_partner: str | None) -> None:
        self.form.set_context(
            partners=partners,
            default_partner=default_partner,
            registry=self.services.registry,
            recent=self.services.recent,
        )

    # -- validation ------------------------------------------------------------------------------
    def blocking_reason(self) -> str | None:
        """Why Submit is disabled right now, in plain words (None: it can be pressed)."""
        if self._connection() is None:
            return self.tr("Set up the connection to Runway first (Settings).")
        values = self.form.values()
        if self.form.slots.is_checking():
            return self.tr("Checking the chosen files…")
        problems = validate_submission(
            values.bundle,
            dict(values.files),
            values.params,
            partner=values.partner,
            tenant=values.tenant,
            school_year=values.school_year,
        )
        if problems:
            return problems[0].message
        hard, mismatches = self._file_blockers()
        if hard:
            return "\n".join(hard)
        if mismatches:
            # Three files from last year say the same thing: once, naming the three.
            slots_by_message: dict[str, list[str]] = {}
            for m in mismatches:
                slots_by_message.setdefault(m.message, []).append(self._slot_name(m.env_var))
            lines = [f"{', '.join(names)}: {text}" for text, names in slots_by_message.items()]
            return "\n".join(lines)
        return None

    def pending_mismatches(self) -> list[Mismatch]:
        """The files that may be the wrong ones, when they are all that stops Submit: what
        "Send anyway…" would send (empty when anything else must be fixed first)."""
        if self._connection() is None or self.form.slots.is_checking():
            return []
        values = self.form.values()
        if validate_submission(
            values.bundle,
            dict(values.files),
            values.params,
            partner=values.partner,
            tenant=values.tenant,
            school_year=values.school_year,
        ):
            return []
        hard, mismatches = self._file_blockers()
        return [] if hard else mismatches

    def _file_blockers(self) -> tuple[list[str], list[Mismatch]]:
        """The chosen files' errors no choice can pass, and their mismatches (the core's rule,
        from the finished checks only: nothing here reads a file)."""
        reports = self.form.slots.reports()
        hard = [
            f"{self._slot_name(env)}: {errors[0]}"
            for env, report in reports.items()
            if (errors := hard_errors(report))
        ]
        return hard, find_mismatches(reports, self.form.values().school_year)

    def _slot_name(self, env_var: str) -> str:
        bundle = self.form.values().bundle
        slot = bundle.file(env_var) if bundle is not None else None
        return f"“{slot.display_name if slot is not None else env_var}”"

    def on_form_changed(self) -> None:
        reason = self.blocking_reason()
        running = self.runner.is_running()
        self.submit_button.setEnabled(reason is None and not running)
        self.folder_button.setEnabled(self._connection() is not None and not running)
        self.send_anyway_button.setVisible(bool(self.pending_mismatches()) and not running)
        if reason is not None and self.send_anyway_button.isVisible():
            reason += "\n" + self.tr("Choose the right file, or “Send anyway…” if you are sure.")
        self.action_bar.set_reason(reason or "")
        bundle = self.form.values().bundle
        partner = self.form.values().partner
        if bundle is not None:
            self.form.assessment.mark_not_enabled(self._not_enabled.get(partner, set()))

    # -- running --------------------------------------------------------------------------------
    def on_submit(self) -> None:
        if self.blocking_reason() is None:
            self._send(())

    def on_send_anyway(self) -> None:
        """Ask first, naming each file and what it looks like; send only on "Send anyway"."""
        mismatches = self.pending_mismatches()
        if not mismatches or self.runner.is_running():
            return
        box = SendAnywayConfirm(mismatches, self)
        keys = tuple(m.key for m in mismatches)
        box.confirmed.connect(lambda: self._send_accepted(keys))
        box.finished.connect(box.deleteLater)
        self.confirm = box
        box.open()

    def _send_accepted(self, keys: tuple[str, ...]) -> None:
        self.confirm = None
        # Still exactly what the user was shown (a check could have finished meanwhile).
        if tuple(m.key for m in self.pending_mismatches()) == keys:
            self._send(keys)

    def _send(self, accepted: tuple[str, ...]) -> None:
        connection = self._connection()
        values = self.form.values()
        if connection is None or values.bundle is None:
            return
        self._last = values
        self._last_accepted = accepted
        self.form.clear_errors()
        self.banner.hide()
        request = self._request(connection, values)
        self._begin_panel(values)
        self.runner.submit(self._pipeline_factory(connection), request)

    def _request(self, connection: Connection, values: FormValues) -> SubmissionRequest:
        # The pipeline refuses every mismatch but the accepted ones: one rule with the CLI.
        return submission_request(
            connection.profile,
            values,
            self.form.slots.reports(),
            accepted_mismatches=self._last_accepted,
        )

    def _pipeline_factory(self, connection: Connection) -> PipelineFactory:
        return pipeline_factory(self.services, connection)

    def _begin_panel(self, values: FormValues) -> None:
        assert values.bundle is not None
        subject = self.tr("{assessment} for {partner} / {tenant} / {school_year}").format(
            assessment=values.bundle.display_name,
            partner=values.partner,
            tenant=values.tenant,
            school_year=school_year_label(values.school_year),
        )
        files = {env: path.name for env, path in values.files.items()}
        self.panel.begin(self.panel.sending_title(subject), files)
        self.form.set_locked(True)
        self.submit_button.setEnabled(False)
        self.send_anyway_button.hide()
        self.stack.setCurrentWidget(self.panel)

    def shown_submission(self) -> int | None:
        """The submission whose finished run the result panel shows (None while it runs or
        when the form is shown): History's reading of it is what the panel follows."""
        result = self._last_result
        if result is None or not result.submission_id or self.runner.is_running():
            return None
        return result.submission_id if self.stack.currentWidget() is self.panel else None

    def follow_state(self, submission_id: int, derived: DerivedState) -> None:
        """History derived the shown submission anew: show what it is now."""
        if self.shown_submission() == submission_id:
            self.panel.show_state(derived)

    def on_finished(self, result: SubmissionResult) -> None:
        self._last_result = result
        self.form.set_locked(False)
        self.submissionFinished.emit(result)
        values = self._last
        if result.ok and result.job_uid:
            if values is not None and values.bundle is not None:
                self.services.recent.remember_submission(
                    values.partner, values.tenant, values.bundle.path, values.school_year
                )
            self.panel.show_success(
                result.job_uid, already_started=result.already_started, new_job=result.new_job
            )
            return
        error = result.error or RunwayError(
            self.tr("The submission stopped."), next_step=self.tr("Try again.")
        )
        if values is not None and error.code is ErrorCode.BUNDLE_NOT_ENABLED:
            self._not_enabled.setdefault(values.partner, set()).add(
                values.bundle.path if values.bundle else ""
            )
        if self._attach_to_fields(error):
            return
        self.panel.show_failure(
            error.message,
            error.next_step,
            can_retry=self._can_retry(result),
            job_uid=result.job_uid,
        )

    def _attach_to_fields(self, error: RunwayError) -> bool:
        """Errors about a field go back to the form, next to that field; nothing is lost."""
        if isinstance(error, SubmissionInvalid):
            attached = [
                self.form.set_field_error(p.field, f"{p.message} {p.next_step}".strip())
                for p in error.problems
            ]
        elif error.fields:
            text = f"{error.message} {error.next_step}".strip()
            attached = [self.form.set_field_error(name, text) for name in error.fields]
        else:
            return False
        if not any(attached):
            return False
        self.banner.setText(
            self.tr("Runway did not accept this yet. {message}").format(message=error.message)
        )
        self.banner.show()
        self.stack.setCurrentIndex(0)
        self.on_form_changed()
        return True

    def _can_retry(self, result: SubmissionResult) -> bool:
        error = result.error
        if error is None:
            return False
        # A job that exists but never started can be resumed; a start whose answer was lost is
        # checked against the output sets before trying again (the pipeline does that).
        return bool(result.job_uid) or error.retryable or error.possibly_created

    def on_retry(self) -> None:
        result, values, connection = self._last_result, self._last, self._connection()
        if result is None or values is None or connection is None or values.bundle is None:
            return
        request = self._request(connection, values)
        self._begin_panel(values)
        if result.job_uid and result.submission_id:
            self.runner.resume(self._pipeline_factory(connection), result.submission_id, request)
        else:
            self.runner.submit(self._pipeline_factory(connection), request)

    def on_back(self) -> None:
        self.stack.setCurrentIndex(0)
        self.on_form_changed()

    def on_submit_another(self) -> None:
        """Keep partner, tenant, year and assessment; clear the files for the next batch."""
        self.form.slots.set_bundle(self.form.assessment.current_bundle())
        self.form.on_bundle_changed(self.form.assessment.current_bundle())
        self.stack.setCurrentIndex(0)
        self.on_form_changed()
