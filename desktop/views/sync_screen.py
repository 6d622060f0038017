"""The Sync screen: where this laptop syncs, the sync log, conflicts to settle, collisions,
and the bundles refused here, which a person may set aside.

Why conflicts side by side: a merge keeps the value with the later clock, but the other
value was someone's work; the person sees both and keeps one (the choice is an ordinary
edit that syncs). Each row is one clash about one thing (an audit's answer with its case
and question, an action, a dropped sample item), with who wrote each side and when; the
fields that belong together settle together, and a choice the ordinary edit would
refuse is refused here in one sentence, shown under the list. Why collisions here too:
two auditors offline may both claim a case for the same week; sync keeps both claims
and shows them, the people decide.
The log holds counts and outcomes only, never a record's values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from desktop import qt
from desktop.errors import UserError
from desktop.models import Claim, SyncConflict
from desktop.qt import QHBoxLayout, QLineEdit, QPushButton, Qt, Signal
from desktop.services.change_sets import EVERYTHING, Kind
from desktop.services.context import ServiceContext
from desktop.services.policy import LOCKED_NOTE, current_policy, describe_target
from desktop.sync import conflicts
from desktop.sync.conflict_text import moment_text
from desktop.sync.conflicts import KEEP, OTHER, CollisionRow, ConflictGroup, Settled
from desktop.sync.engine import SyncReport
from desktop.sync.status import (
    DATABASE,
    FOLDER,
    LogLine,
    RejectedBundle,
    rejected_bundles,
    remembered_target,
    set_aside,
    sync_log,
    sync_now,
)
from desktop.views.fit_columns import ColumnFit
from desktop.views.fitted_screen import FittedScreen
from desktop.views.plain import plain_label
from desktop.views.row_table import Column, LatestRead, RowTableModel, row_view, selected_rows
from desktop.views.screen import Host
from desktop.views.worker import show_error

LOG_COLUMNS: list[Column[LogLine]] = [
    Column("When", lambda r: r.at.astimezone().strftime("%d %b %Y %H:%M:%S"),
           sort=lambda r: r.at.isoformat()),
    Column("Where", lambda r: r.target),
    Column("Outcome", lambda r: r.outcome),
    Column("Sent", lambda r: str(r.pushed), sort=lambda r: r.pushed),
    Column("Received", lambda r: str(r.pulled), sort=lambda r: r.pulled),
    Column("Conflicts", lambda r: str(r.conflicts), sort=lambda r: r.conflicts),
    Column("Rejected", lambda r: str(r.rejected), sort=lambda r: r.rejected),
    Column("Note", lambda r: r.message),
]
CONFLICT_COLUMNS: list[Column[ConflictGroup]] = [
    Column("Id", lambda r: r.short_id),
    Column("What", lambda r: r.kind),
    Column("About", lambda r: r.about, sort=lambda r: (r.case_ref, r.about)),
    Column("Kept value", lambda r: r.kept),
    Column("Kept: who, when", lambda r: f"{r.kept_by}, {r.kept_at}"),
    Column("Other value", lambda r: r.other),
    Column("Other: who, when", lambda r: f"{r.other_by}, {r.other_at}"),
]
REJECTED_COLUMNS: list[Column[RejectedBundle]] = [
    Column("Bundle", lambda r: r.bundle_id),
    Column("From device", lambda r: r.device[:8]),
    Column("Why", lambda r: r.reason),
    Column("First refused", lambda r: moment_text(r.first_at), sort=lambda r: r.first_at),
    Column("Last tried", lambda r: moment_text(r.last_at), sort=lambda r: r.last_at),
]
#: The free text that gives way first when a table is narrow (its tooltip holds it
#: all), each down to this many average characters.
CONFLICT_FREE = {3: 14, 5: 14}  # the kept value, the other value
REJECTED_FREE = {2: 20}  # why
LOG_FREE = {7: 16}  # the note
COLLISION_COLUMNS: list[Column[CollisionRow]] = [
    Column("Case", lambda r: r.case_ref),
    Column("Week", lambda r: r.iso_week),
    Column("Claimed by", lambda r: " and ".join(r.auditors)),
]


class SyncScreen(FittedScreen):
    """Signals:
        sync_loaded(): the log, conflicts and collisions were read again.
        synced(object): a sync finished (its :class:`SyncReport`).
        settled(str): a settling ended: "" when done, else the sentence that refused it.

    Attributes:
        target_edit: the folder path or database URL (no password) to sync with.
        sync_button, keep_button, use_other_button: what a person clicks.
        log_model, conflict_model, collision_model, rejected_model and their tables.
        set_aside_button: stops retrying the selected refused bundle.
        conflict_detail: the selected conflict's fields, both sides, who and when.
        settle_status: what the last settling did, or why it was refused.
    """

    key = "sync"
    title = "S&ync"
    reads: ClassVar[frozenset[Kind]] = frozenset({SyncConflict, Claim})

    sync_loaded = Signal()
    synced = Signal(object)
    settled = Signal(str)

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.reads_rows = LatestRead()
        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText(
            "a shared folder (\\\\server\\share\\dipsample) or postgresql://user@host/db")
        self.target_edit.setAccessibleName("Sync with")
        self.sync_button = self._button("&Sync now", "Sync now", self.sync_now)
        self.status = plain_label("")
        self.status.setWordWrap(True)
        self.log_model: RowTableModel[LogLine] = RowTableModel(LOG_COLUMNS, self)
        self.log_table = row_view(self.log_model, "sync_log_table", "Sync log")
        self.conflict_model: RowTableModel[ConflictGroup] = RowTableModel(CONFLICT_COLUMNS,
                                                                          self)
        self.conflict_table = row_view(self.conflict_model, "conflict_table",
                                       "Conflicts to settle")
        self.collision_model: RowTableModel[CollisionRow] = RowTableModel(COLLISION_COLUMNS,
                                                                          self)
        self.collision_table = row_view(self.collision_model, "collision_table",
                                        "Claim collisions")
        self.rejected_model: RowTableModel[RejectedBundle] = RowTableModel(REJECTED_COLUMNS,
                                                                           self)
        self.rejected_table = row_view(self.rejected_model, "rejected_table",
                                       "Bundles refused here")
        # Every column and header whole in its pane from 1024 pixels up ("Kept: who,
        # when" was cut in Qt's 100-pixel column while the tables were empty).
        for table, free in ((self.conflict_table, CONFLICT_FREE),
                            (self.collision_table, {}), (self.rejected_table, REJECTED_FREE),
                            (self.log_table, LOG_FREE)):
            ColumnFit(table, first_chars=free)
        self.set_aside_button = self._button("Set &aside", "Set aside the selected bundle",
                                             self.set_aside)
        self.conflict_detail = plain_label("")
        self.conflict_detail.setWordWrap(True)
        self.conflict_detail.setAccessibleName("The selected conflict, both sides")
        self.conflict_detail.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.settle_status = plain_label("")
        self.settle_status.setWordWrap(True)
        self.settle_status.setAccessibleName("What settling did")
        self.keep_button = self._button("&Keep the kept value", "Settle: keep the kept value",
                                        lambda: self.settle(False))
        self.use_other_button = self._button("Use the &other value",
                                             "Settle: use the other value",
                                             lambda: self.settle(True))

        self.target_label = label = plain_label("Sync &with:")
        label.setBuddy(self.target_edit)
        top = in_a_row(label, self.target_edit, self.sync_button, stretch=1)
        conflict_buttons = in_a_row(self.keep_button, self.use_other_button, None)
        splitter = qt.QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("sync_splitter")
        splitter.addWidget(self._pane("Conflicts to settle (both values side by side)",
                                      self.conflict_table, conflict_buttons,
                                      self.conflict_detail, self.settle_status))
        splitter.addWidget(self._pane("Claim collisions (two auditors, one case, one week)",
                                      self.collision_table))
        splitter.addWidget(self._pane(
            "Bundles refused here (tried again at every sync until they apply or are set "
            "aside)", self.rejected_table, in_a_row(self.set_aside_button, None)))
        splitter.addWidget(self._pane("Sync log", self.log_table))
        layout = qt.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.conflict_table.selectionModel().selectionChanged.connect(self._enable)
        self.rejected_table.selectionModel().selectionChanged.connect(self._enable)
        self._enable()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.clicked.connect(slot)
        return button

    def _pane(self, title: str, table: qt.QTableView, buttons: QHBoxLayout | None = None,
              *below: qt.QWidget) -> qt.QWidget:
        pane = qt.QWidget()
        label = plain_label(title)
        label.setBuddy(table)
        layout = qt.QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(table, 1)
        for widget in below:
            layout.addWidget(widget)
        if buttons is not None:
            layout.addLayout(buttons)
        return pane

    def _enable(self, *_args: object) -> None:
        chosen = selected_rows(self.conflict_table)
        self.keep_button.setEnabled(bool(chosen))
        self.use_other_button.setEnabled(bool(chosen))
        self.conflict_detail.setText("\n\n".join(detail(g) for g in chosen))
        self.set_aside_button.setEnabled(bool(selected_rows(self.rejected_table)))

    def refresh(self) -> None:
        if self.host.store is None:
            return
        self.stale = False

        def read(ctx: ServiceContext) -> SyncRead:
            return SyncRead(remembered_target(ctx.store), sync_log(ctx.store),
                            conflicts.open_conflicts(ctx), conflicts.collisions(ctx),
                            rejected_bundles(ctx.store), bool(current_policy().sync_target))

        self.reads_rows.run(self.host, "Reading the sync log", read, self._show)

    def _show(self, read: SyncRead) -> None:
        self.target_edit.setReadOnly(read.locked)
        self.target_label.setText(f"Sync &with ({LOCKED_NOTE[0].lower()}"
                                  f"{LOCKED_NOTE[1:]}):" if read.locked else "Sync &with:")
        if read.locked:
            self.target_edit.setText(describe_target(read.target))
        elif read.target and not self.target_edit.text():
            self.target_edit.setText(read.target.split(":", 1)[1])
        self.log_model.set_rows(read.log)
        self.conflict_model.set_rows(read.conflicts)
        self.collision_model.set_rows(read.collisions)
        self.rejected_model.set_rows(read.rejected)
        self._enable()
        self.sync_loaded.emit()

    def target_spec(self) -> str | None:
        """The typed target as the store keeps it; None when nothing is typed."""
        text = self.target_edit.text().strip()
        if not text:
            return None
        return DATABASE + text if text.startswith("postgresql") else FOLDER + text

    def sync_now(self) -> bool:
        spec = self.target_spec()

        def run(ctx: ServiceContext) -> SyncReport:
            return sync_now(ctx.store, spec, progress=ctx.report)  # Cancel between steps

        self.status.setText("Syncing…")
        self.host.call("Syncing", run).success(self._synced).failure(self._failed).run()
        return True

    def _synced(self, report: SyncReport) -> None:
        self.status.setText(describe(report))
        self.synced.emit(report)
        self.host.changed(EVERYTHING)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(f"Not synced: {exc}")

    def settle(self, use_other: bool) -> None:
        """Settle the selected conflicts one by one; a refusal stops there and says why
        under the list (one sentence), the ones settled before it stay settled."""
        rows = selected_rows(self.conflict_table)
        if not rows:
            return
        ids = [r.id for r in rows]
        choice = OTHER if use_other else KEEP

        def run(ctx: ServiceContext) -> list[Settled]:
            return [conflicts.settle(ctx, group_id, choice) for group_id in ids]

        self.settle_status.setText("Settling…")
        self.host.call("Settling conflicts", run).success(self._settled).failure(
            self._settle_refused).run()

    def _settled(self, done: list[Settled]) -> None:
        self.settle_status.setText(" ".join(s.message for s in done))
        self.settled.emit("")
        self.host.changed(EVERYTHING)

    def _settle_refused(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            show_error(self, exc)
            self.settle_status.setText("")
            return
        self.settle_status.setText(exc.message)
        self.settled.emit(exc.message)
        self.host.changed(EVERYTHING)

    def set_aside(self) -> None:
        """Stop retrying the selected refused bundles (another council's, or damaged
        beyond restoring): a person's choice, recorded in the sync log."""
        names = [r.bundle_id for r in selected_rows(self.rejected_table)]
        if not names:
            return

        def run(ctx: ServiceContext) -> list[RejectedBundle]:
            return [set_aside(ctx.store, name) for name in names]

        self.host.call("Setting bundles aside", run).success(self._set_aside).run()

    def _set_aside(self, done: list[RejectedBundle]) -> None:
        self.status.setText(" ".join(f"Set aside {r.bundle_id} from device {r.device[:8]}: "
                                     "it is no longer fetched or reported." for r in done))
        self.host.changed(EVERYTHING)

    def submit(self) -> bool:
        return self.sync_now()


@dataclass(frozen=True)
class SyncRead:
    """What the screen shows, read in one go on the worker."""

    target: str
    log: list[LogLine]
    conflicts: list[ConflictGroup]
    collisions: list[CollisionRow]
    rejected: list[RejectedBundle]
    #: The machine-wide policy sets the target: the field is read-only.
    locked: bool = False


def in_a_row(*widgets: qt.QWidget | None, stretch: int | None = None) -> QHBoxLayout:
    """``widgets`` side by side; None is a stretch, ``stretch`` the one that grows."""
    row = QHBoxLayout()
    for n, widget in enumerate(widgets):
        if widget is None:
            row.addStretch(1)
        else:
            row.addWidget(widget, 1 if n == stretch else 0)
    return row


def detail(group: ConflictGroup) -> str:
    """A conflict in full, as plain text: what it is, then each field's two sides."""
    lines = [f"{group.kind}: {group.about}"]
    for clash in group.fields:
        lines.append(f"{clash.label}: kept {clash.kept.value} ({clash.kept.by}, "
                     f"{clash.kept.at}); other {clash.other.value} ({clash.other.by}, "
                     f"{clash.other.at})")
    return "\n".join(lines)


def describe(report: SyncReport) -> str:
    """One sentence a person can read about a sync (counts only)."""
    if report.outcome == "offline":
        return f"Offline: {report.message} {report.pending} change(s) wait to be sent."
    parts = [f"Sent {report.pushed}, received {report.pulled} record(s);",
             f"{report.conflicts} new conflict(s); {report.pending} waiting."]
    if report.rejected:
        parts.append(f"{len(report.rejected)} bundle(s) refused (damaged or not ours).")
    return " ".join([*parts, report.message]).strip()
