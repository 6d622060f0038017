"""The Import screen: bring a caseload export in, step by step, as the command line does.

Why steps on one page rather than a QWizard: a person fixing a refused file goes back
and forth (change the file, check again, look at the mapping) and every step stays in
view. The steps: the file (typed or browsed), a preview of its first rows, the column
mapping (a built-in profile, or columns chosen by hand and saved as a profile file that
``dipsample import --profile FILE`` reuses), a dry run, then the import with a progress
dialog and Cancel. All of it runs the caseload import service on the window's worker;
the import writes everything in one transaction, so Cancel leaves the store as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from desktop.errors import UserError
from desktop.models import Case
from desktop.qt import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.services.auth.roles import Permission
from desktop.services.caseload.hand_mapping import (
    FilePreview,
    hand_profile,
    is_required,
    preview_file,
    save_profile,
    suggested_columns,
)
from desktop.services.caseload.headers import FIELD_LABELS
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import FIELDS, Profile, builtin_profiles
from desktop.services.caseload.report import ImportReport
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.views.import_problems import ProblemsPanel
from desktop.views.path_field import PathField
from desktop.views.plain import plain_label
from desktop.views.screen import Host, Screen
from desktop.views.text_table import CopyableTableView, TextTableModel
from desktop.views.worker import BackgroundOp, show_error

EXPORT_FILTER = "Caseload exports (*.csv *.xlsx *.xlsm *.txt *.tsv)"
BY_HAND = "by hand"
NOT_MAPPED = "(not mapped)"


def counts_text(report: ImportReport) -> str:
    """The outcome of a good import or dry run, in words."""
    first = ("The file is good. Importing it would make these changes:" if report.dry_run
             else f"Imported {report.file}:")
    return (f"{first} {report.created:,} added, {report.updated:,} updated, "
            f"{report.unchanged:,} unchanged, 0 skipped ({report.rows:,} rows; "
            f"{report.closed:,} closed, {report.reopened:,} reopened, "
            f"{report.rag_changes:,} RAG changes).")


class ImportScreen(Screen):
    """The caseload import.

    Attributes:
        file: the export's path; ``preview_button`` reads it.
        preview_model: the first rows; ``preview_info`` says how many and what fits.
        mapping: the built-in profiles and "by hand"; ``column_choices`` the hand
            mapping's combo per field; ``profile_path`` where the mapping is saved.
        check_button, import_button: the dry run and the import.
        outcome: the sentence after a dry run, an import or a cancel.
        problems: the refused rows.
        import_op: the import running (its ``dialog`` has Cancel), or None.
        preview: the file read last.
    """

    key = "import"
    needs = Permission.IMPORT_CASELOAD
    title = "&Import"
    reads: ClassVar[frozenset[Kind]] = frozenset({Case})

    def __init__(self, host: Host) -> None:
        super().__init__(host)
        self.preview: FilePreview | None = None
        self.import_op: BackgroundOp[ImportReport] | None = None
        self.profiles: list[Profile] = builtin_profiles()
        self.column_choices: dict[str, QComboBox] = {}
        self._build()

    # -- building -----------------------------------------------------------------
    def _build(self) -> None:
        steps = QWidget()
        column = QVBoxLayout(steps)
        column.addWidget(self._file_step())
        column.addWidget(self._mapping_step())
        column.addWidget(self._import_step())
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(steps)
        # The steps whole on the left (no sideways scrolling to reach Preview); the
        # preview and any refused rows take the rest.
        scroll.setMinimumWidth(steps.sizeHint().width()
                               + scroll.verticalScrollBar().sizeHint().width() + 4)
        self.preview_model = TextTableModel(("Row",), self)
        self.preview_table = CopyableTableView(self.preview_model, "import_preview")
        self.preview_table.setAccessibleName("The file's first rows")
        self.preview_info = plain_label("Type or choose a caseload export (CSV or Excel), then "
                                        "choose Preview.")
        self.preview_info.setWordWrap(True)
        self.preview_info.setBuddy(self.preview_table)
        self.problems = ProblemsPanel()
        self.problems.hide()
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.preview_info)
        right_column.addWidget(self.preview_table, 2)
        right_column.addWidget(self.problems, 3)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("import_splitter")
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _file_step(self) -> QGroupBox:
        box = QGroupBox("1. The export")
        self.file = PathField("Caseload file", EXPORT_FILTER)
        label = plain_label("&File:")
        label.setBuddy(self.file.edit)
        self.preview_button = QPushButton("Pre&view")
        self.preview_button.setAccessibleName("Preview the file")
        self.preview_button.clicked.connect(self.read_file)
        self.file.edit.returnPressed.connect(self.read_file)
        self.file.chosen.connect(lambda _path: self.read_file())
        row = QHBoxLayout(box)
        row.addWidget(label)
        row.addWidget(self.file, 1)
        row.addWidget(self.preview_button)
        return box

    def _mapping_step(self) -> QGroupBox:
        box = QGroupBox("2. Its columns")
        self.mapping = QComboBox()
        self.mapping.setAccessibleName("Column mapping")
        for profile in self.profiles:
            words = f"{profile.name}: {profile.description}" if profile.description \
                else profile.name
            self.mapping.addItem(words[:90], profile.name)
        self.mapping.addItem("Map the columns by hand", BY_HAND)
        # Long descriptions would widen the step past the window; the list shows them whole.
        self.mapping.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mapping.setMinimumContentsLength(28)
        self.mapping.currentIndexChanged.connect(self._mapping_changed)
        label = plain_label("&Mapping:")
        label.setBuddy(self.mapping)
        self.hand = QWidget()
        grid = QGridLayout(self.hand)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, field in enumerate(FIELDS):
            need = " (required)" if is_required(field) else ""
            name = plain_label(f"{FIELD_LABELS[field]}{need}:")
            choice = QComboBox()
            choice.setAccessibleName(f"Column for {FIELD_LABELS[field].lower()}")
            choice.setObjectName(f"column_{field}")
            name.setBuddy(choice)
            grid.addWidget(name, row, 0)
            grid.addWidget(choice, row, 1)
            self.column_choices[field] = choice
        self.profile_name = QLineEdit()
        self.profile_name.setAccessibleName("Mapping name")
        self.profile_name.setPlaceholderText("e.g. our-mosaic")
        name_label = plain_label("Mapping &name:")
        name_label.setBuddy(self.profile_name)
        self.profile_path = PathField("Mapping file", "Mapping files (*.json)", save=True,
                                      browse_text="Brows&e…")
        path_label = plain_label("Save it &as:")
        path_label.setBuddy(self.profile_path.edit)
        self.save_mapping_button = QPushButton("Save the ma&pping")
        self.save_mapping_button.setAccessibleName("Save the mapping as a profile file")
        self.save_mapping_button.clicked.connect(self.save_mapping)
        self.mapping_saved = plain_label()
        self.mapping_saved.setWordWrap(True)
        base = len(FIELDS)
        grid.addWidget(name_label, base, 0)
        grid.addWidget(self.profile_name, base, 1)
        grid.addWidget(path_label, base + 1, 0)
        grid.addWidget(self.profile_path, base + 1, 1)
        grid.addWidget(self.save_mapping_button, base + 2, 1)
        grid.addWidget(self.mapping_saved, base + 3, 0, 1, 2)
        self.hand.hide()
        column = QVBoxLayout(box)
        line = QHBoxLayout()
        line.addWidget(label)
        line.addWidget(self.mapping, 1)
        column.addLayout(line)
        column.addWidget(self.hand)
        return box

    def _import_step(self) -> QGroupBox:
        box = QGroupBox("3. Check and import")
        self.full = QCheckBox("The file is the &whole caseload: close open cases it omits")
        self.full.setAccessibleName("The file is the whole caseload")
        self.check_button = QPushButton("&Check (dry run)")
        self.check_button.setAccessibleName("Check the file without importing")
        self.check_button.clicked.connect(self.dry_run)
        self.import_button = QPushButton("I&mport")
        self.import_button.setAccessibleName("Import the file")
        self.import_button.clicked.connect(self.run_import)
        self.outcome = plain_label()
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("Outcome")
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        column = QVBoxLayout(box)
        column.addWidget(self.full)
        column.addLayout(buttons)
        column.addWidget(self.outcome)
        return box

    # -- the steps ----------------------------------------------------------------
    def read_file(self) -> None:
        path = self.file.text()
        if not path:
            self.preview_info.setText("Type the file's path, or choose Browse.")
            return
        self.host.call("Reading the file", lambda _ctx: preview_file(path)) \
            .success(self._previewed).run()

    def _previewed(self, preview: FilePreview) -> None:
        self.preview = preview
        self.problems.hide()
        self.outcome.clear()
        self.preview_model.set_rows([(n, *cells) for n, cells in preview.rows],
                                    headers=("Row", *preview.headers))
        self.preview_table.resizeColumnsToContents()
        shown = len(preview.rows)
        fits = (f"Its columns fit the built-in profile {preview.detected}."
                if preview.detected else f"{preview.why_none[:1].upper()}"
                f"{preview.why_none[1:]}; map the columns by hand below.")
        self.preview_info.setText(f"{preview.file}: {preview.row_count:,} rows; the first "
                                  f"{shown:,} are shown. {fits}")
        for choice in self.column_choices.values():
            choice.clear()
            choice.addItem(NOT_MAPPED, None)
            for header in preview.headers:
                choice.addItem(header, header)
        if not self.profile_path.text():
            self.profile_path.setText(str(Path(self.file.text()).with_name(
                f"{Path(preview.file).stem}-mapping.json")))
        wanted = preview.detected or BY_HAND
        index = self.mapping.findData(wanted)
        if index == self.mapping.currentIndex():
            self._mapping_changed(index)
        self.mapping.setCurrentIndex(index)

    def _mapping_changed(self, _index: int) -> None:
        by_hand = self.mapping.currentData() == BY_HAND
        self.hand.setVisible(by_hand)
        if by_hand and self.preview is not None:
            self._suggest()

    def _suggest(self) -> None:
        """Start the hand mapping from the detected profile's columns, or from names."""
        assert self.preview is not None
        suggested = suggested_columns(self.preview.detected, self.preview.headers)
        for field, choice in self.column_choices.items():
            index = choice.findData(suggested.get(field))
            choice.setCurrentIndex(max(index, 0))

    def _hand_columns(self) -> dict[str, str | None]:
        return {f: c.currentData() for f, c in self.column_choices.items()}

    def _profile(self) -> Profile | str | None:
        """The profile the import uses: a built-in name or the hand mapping (checked)."""
        chosen = self.mapping.currentData()
        if chosen != BY_HAND:
            return str(chosen)
        assert self.preview is not None
        return hand_profile(self.profile_name.text().strip() or "by hand",
                            self._hand_columns(), self.preview.headers,
                            base=self.preview.detected)

    def save_mapping(self) -> None:
        if self.preview is None:
            self.mapping_saved.setText("Preview a file first: its columns are mapped.")
            return
        target = self.profile_path.text()
        if not target:
            self.mapping_saved.setText("Type where to save the mapping, or choose Browse.")
            return
        preview = self.preview
        try:
            profile = save_profile(target, self.profile_name.text().strip(),
                                   self._hand_columns(), preview.headers,
                                   base=preview.detected)
        except UserError as exc:  # a ProfileProblem: one sentence in a message box
            show_error(self, exc)
            return
        saved = Path(target) if target.lower().endswith(".json") else Path(target + ".json")
        self.mapping_saved.setText(
            f"Saved the mapping '{profile.name}' as {saved.name}. The command line uses "
            f"it with: dipsample import --profile \"{saved}\" FILE")

    def _start(self, dry_run: bool) -> BackgroundOp[ImportReport] | None:
        if self.preview is None or Path(self.file.text()).name != self.preview.file:
            self.outcome.setText("Preview the file first, so that you can see what is "
                                 "imported.")
            return None
        try:
            profile = self._profile()
        except UserError as exc:  # an incomplete hand mapping: one sentence
            show_error(self, exc)
            return None
        path, full = Path(self.file.text()), self.full.isChecked()
        self.outcome.setText("Checking the file…" if dry_run else "Importing…")
        self.problems.hide()

        def work(ctx: ServiceContext) -> ImportReport:
            return import_caseload(ctx, path, profile, full=full, dry_run=dry_run)

        label = "Checking the file" if dry_run else "Importing the caseload"
        return self.host.call(label, work).success(self._reported) \
            .failure(self._failed).cancelled(self._cancelled)

    def dry_run(self) -> None:
        op = self._start(dry_run=True)
        if op is not None:
            op.run()

    def run_import(self) -> None:
        op = self._start(dry_run=False)
        if op is not None:
            self.import_op = op
            op.run()

    def _reported(self, report: ImportReport) -> None:
        self.import_op = None
        if report.errors:
            self.outcome.setText("The file was refused; every bad row is listed beside. "
                                 "Nothing was imported.")
            self.problems.show_report(report)
            self.problems.show()
            self.problems.table.setFocus()
            return
        self.outcome.setText(counts_text(report))

    def _failed(self, exc: BaseException) -> None:
        self.import_op = None
        self.outcome.setText("The file could not be imported; nothing was imported.")
        show_error(self, exc)

    def _cancelled(self) -> None:
        self.import_op = None
        self.outcome.setText("The import was cancelled. Nothing was changed.")
