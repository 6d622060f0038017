"""The Import screen: bring a caseload export in, step by step, as the command line does.

Why steps on one page rather than a QWizard: a person fixing a refused file goes back
and forth (change the file, check again, look at the mapping) and every step stays in
view. The steps: the file (typed or browsed), a preview of its first rows, the column
mapping (a built-in profile, or columns chosen by hand and saved as a profile file that
``dipsample import --profile FILE`` reuses), a dry run, then the import with a progress
dialog and Cancel. All of it runs the caseload import service on the window's worker;
the import writes everything in one transaction, so Cancel leaves the store as it was.

A hand mapping is as capable as a mapping file: headers councils commonly use ("Case
Ref", "DOB", "Legal Status") are matched at once; the file's own words for a legal
status, a RAG, a case status, a visitor and its flags (one column of words) are mapped
to the app's words, recognised ones filled in; all of it is saved in the profile. What
a person chose survives another Preview (of the same file or next month's). A person
whose roles do not let them import is told so before the first step, not after it.
"""

from __future__ import annotations

import re
import textwrap
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
    QSizePolicy,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from desktop.services.auth.roles import (
    ROLE_ORDER,
    ROLE_PERMISSIONS,
    ROLE_TITLES,
    Permission,
    permissions_of,
)
from desktop.services.caseload.hand_mapping import (
    FilePreview,
    HandValues,
    hand_profile,
    is_required,
    preview_file,
    save_profile,
    suggested_columns,
)
from desktop.services.caseload.headers import FIELD_LABELS
from desktop.services.caseload.importer import import_caseload
from desktop.services.caseload.profiles import FIELDS, Profile, builtin_profiles, load_profile
from desktop.services.caseload.report import ImportReport
from desktop.services.caseload.value_words import (
    APP_WORDS,
    KIND_FIELDS,
    KIND_WORDS,
    FoundWord,
    Vocabulary,
)
from desktop.services.change_sets import Kind
from desktop.services.context import ServiceContext
from desktop.views.import_problems import ProblemsPanel
from desktop.views.path_field import PathField
from desktop.views.plain import plain_label, plain_tip
from desktop.views.screen import Host, Screen
from desktop.views.text_table import CopyableTableView, TextTableModel
from desktop.views.worker import BackgroundOp, show_error

EXPORT_FILTER = "Caseload exports (*.csv *.xlsx *.xlsm *.txt *.tsv)"
BY_HAND = "by hand"
NOT_MAPPED = "(not mapped)"
#: Words of one kind listed for mapping at most; the rest are named in a line.
WORDS_SHOWN = 40
#: The value kinds the values step maps, in the order shown.
VALUE_KINDS = ("cohort", "rag", "status", "visit_by", "flags")
#: Each kind's heading above its words.
HEADINGS = {"cohort": "Legal status", "rag": "RAG rating", "status": "Case status",
            "visit_by": "Who made the visit", "flags": "Flag words"}
#: The key of the column of flag words among the person's column choices.
FLAGS = "flags"
#: Headers of a column of flag words, besides the detected profile's (letter case aside).
FLAG_HEADERS = ("flags", "flag", "case flags", "circumstances", "risk flags")


#: The most characters of a mapping's name in the box (the line under it has it all):
#: whole in the box at the steps' narrowest (``MAPPING_CHARS`` wide, and more).
NAME_CHARS = 36
MAPPING_CHARS = 30


def short_name(profile: Profile) -> str:
    """A mapping as the box lists it: its description up to the first colon or full
    stop ("Eclipse caseload workbook (.xlsx)"), else its name; shortened at a word to
    ``NAME_CHARS``."""
    words = re.split(r":|\.(?:\s|$)", profile.description, maxsplit=1)[0].strip() \
        or profile.name
    return textwrap.shorten(words, NAME_CHARS, placeholder="…")


def importing_roles() -> str:
    """"a QA officer, an administrator or a coordinator": who may import, in words."""
    titles = [ROLE_TITLES[r] for r in ROLE_ORDER
              if Permission.IMPORT_CASELOAD in ROLE_PERMISSIONS[r]]
    named = [f"{'an' if t[:1].lower() in 'aeiou' else 'a'} {t}" for t in titles]
    return ", ".join(named[:-1]) + f" or {named[-1]}" if len(named) > 1 else named[0]


def counts_text(report: ImportReport) -> str:
    """The outcome of a good import or dry run, in words, then the standards the file
    cannot compute (as the command line's note says)."""
    first = ("The file is good. Importing it would make these changes:" if report.dry_run
             else f"Imported {report.file}:")
    counts = (f"{first} {report.created:,} added, {report.updated:,} updated, "
              f"{report.unchanged:,} unchanged, 0 skipped ({report.rows:,} rows; "
              f"{report.closed:,} closed, {report.reopened:,} reopened, "
              f"{report.rag_changes:,} RAG changes).")
    gaps = report.not_known_text
    return f"{counts}\n{gaps[:1].upper()}{gaps[1:]}." if gaps else counts


class ImportScreen(Screen):
    """The caseload import.

    Attributes:
        not_allowed: the sentence shown, above every step, to a person who may not
            import (the steps are then disabled).
        file: the export's path; ``preview_button`` reads it.
        preview_model: the first rows; ``preview_info`` says how many and what fits.
        mapping: the built-in profiles and "by hand"; ``column_choices`` the hand
            mapping's combo per field; ``flags_column`` and ``separator`` its column of
            flag words; ``value_choices`` a combo per (kind, word) of the file mapping it
            to the app's word; ``profile_path`` where the mapping is saved.
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
        self.value_choices: dict[tuple[str, str], QComboBox] = {}
        #: (kind, casefolded word) -> the word as the file spells it.
        self.value_words: dict[tuple[str, str], str] = {}
        #: The person's own choices, kept across Preview: field -> column (None: they
        #: chose "not mapped"), and (kind, word) -> code (None: not mapped).
        self.chosen_columns: dict[str, str | None] = {}
        self.chosen_values: dict[tuple[str, str], str | None] = {}
        self._filling = False
        self._vocabulary: Vocabulary | None = None
        self._build()
        self._check_allowed()

    # -- building -----------------------------------------------------------------
    def _build(self) -> None:
        self.steps = QWidget()
        column = QVBoxLayout(self.steps)
        column.addWidget(self._file_step())
        column.addWidget(self._mapping_step())
        column.addWidget(self._import_step())
        column.addStretch(1)
        scroll = self.steps_scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.steps)
        self._fit_steps()
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
        self.not_allowed = plain_label()
        self.not_allowed.setWordWrap(True)
        self.not_allowed.setAccessibleName("Who may import")
        self.not_allowed.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.not_allowed)
        layout.addWidget(splitter, 1)

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
        # Each mapping by its short name in the box (the whole description, cut to
        # "eclipse: Eclipse caseload workbook (.xlsx): comb" in a 1024-pixel window, is
        # in the line under it and in the item's tooltip).
        for profile in self.profiles:
            self.mapping.addItem(short_name(profile), profile.name)
            self.mapping.setItemData(self.mapping.count() - 1, plain_tip(profile.description),
                                     Qt.ItemDataRole.ToolTipRole)
        self.mapping.addItem("Map the columns by hand", BY_HAND)
        self.mapping.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mapping.setMinimumContentsLength(MAPPING_CHARS)
        self.mapping.currentIndexChanged.connect(self._mapping_changed)
        label = plain_label("&Mapping:")
        label.setBuddy(self.mapping)
        self.mapping_words = plain_label()
        self.mapping_words.setAccessibleName("What the mapping reads")
        self.mapping_words.setWordWrap(True)
        # As wide as the steps are, not wider: the steps' width is what the rest asks.
        self.mapping_words.setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)
        self.hand = QWidget()
        grid = QGridLayout(self.hand)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, field in enumerate(FIELDS):
            need = " (required)" if is_required(field) else ""
            name = plain_label(f"{FIELD_LABELS[field]}{need}:")
            choice = QComboBox()
            choice.setAccessibleName(f"Column for {FIELD_LABELS[field].lower()}")
            choice.setObjectName(f"column_{field}")
            # A long header must not widen the step past its pane: the list shows it whole.
            choice.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            choice.setMinimumContentsLength(16)
            choice.currentIndexChanged.connect(
                lambda _i, f=field: self._column_chosen(f))
            name.setBuddy(choice)
            grid.addWidget(name, row, 0)
            grid.addWidget(choice, row, 1)
            self.column_choices[field] = choice
        base = len(FIELDS)
        self.flags_column = QComboBox()
        self.flags_column.setObjectName("column_flags")
        self.flags_column.setAccessibleName("Column of flag words")
        self.flags_column.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.flags_column.setMinimumContentsLength(10)
        self.flags_column.currentIndexChanged.connect(lambda _i: self._column_chosen(FLAGS))
        flags_label = plain_label("Flags (a column of words):")
        flags_label.setBuddy(self.flags_column)
        self.separator = QLineEdit(";")
        self.separator.setMaxLength(3)
        # Three characters wide: the default width of a line edit widened the whole step.
        self.separator.setMaximumWidth(self.separator.fontMetrics().horizontalAdvance("M") * 3
                                       + 12)
        self.separator.setAccessibleName("What separates the flag words")
        self.separator.setToolTip("The character between two flag words in one cell, "
                                  "e.g. ; in \"NIS;CSE\".")
        self.separator.textChanged.connect(lambda _t: self._values_changed())
        separator_label = plain_label("split at:")
        separator_label.setBuddy(self.separator)
        flags_row = QHBoxLayout()
        flags_row.addWidget(self.flags_column, 1)
        flags_row.addWidget(separator_label)
        flags_row.addWidget(self.separator)
        grid.addWidget(flags_label, base, 0)
        grid.addLayout(flags_row, base, 1)
        grid.addWidget(self._values_step(), base + 1, 0, 1, 2)
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
        grid.addWidget(name_label, base + 2, 0)
        grid.addWidget(self.profile_name, base + 2, 1)
        grid.addWidget(path_label, base + 3, 0)
        grid.addWidget(self.profile_path, base + 3, 1)
        grid.addWidget(self.save_mapping_button, base + 4, 1)
        grid.addWidget(self.mapping_saved, base + 5, 0, 1, 2)
        self.hand.hide()
        column = QVBoxLayout(box)
        line = QHBoxLayout()
        line.addWidget(label)
        line.addWidget(self.mapping, 1)
        column.addLayout(line)
        column.addWidget(self.mapping_words)
        column.addWidget(self.hand)
        self._describe_mapping()
        return box

    def _describe_mapping(self) -> None:
        """The chosen mapping's description, whole, under the box."""
        chosen = self.mapping.currentData()
        profile = next((p for p in self.profiles if p.name == chosen), None)
        self.mapping_words.setText(
            profile.description if profile is not None else
            "Choose the file's column for each field, and its words' meaning, below.")
        self.mapping_words.setVisible(bool(self.mapping_words.text()))

    def _values_step(self) -> QGroupBox:
        """The file's words for a legal status, RAG, case status, visitor and flag, each
        with the app's word it means (rebuilt when a value column is chosen)."""
        box = QGroupBox("Its values: the file's words in the app's words")
        self.values_info = plain_label("Choose the legal status and RAG columns above: "
                                       "their words are listed here to map.")
        self.values_info.setWordWrap(True)
        self.values_grid_holder = QWidget()
        self.values_grid = QGridLayout(self.values_grid_holder)
        self.values_grid.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout(box)
        column.addWidget(self.values_info)
        column.addWidget(self.values_grid_holder)
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

    def _fit_steps(self) -> None:
        """The steps whole on the left (no sideways scrolling to reach Preview or a value
        choice); the preview and any refused rows take the rest. Again whenever the
        hand mapping or its values change what the steps hold."""
        scroll = self.steps_scroll
        scroll.setMinimumWidth(max(self.steps.sizeHint().width(),
                                   self.steps.minimumSizeHint().width())
                               + scroll.verticalScrollBar().sizeHint().width() + 4)

    # -- who may import -----------------------------------------------------------
    def activated(self) -> None:
        self._check_allowed()
        super().activated()

    def _check_allowed(self) -> bool:
        """Say, before the first step, when the person signed in may not import: the
        steps are disabled rather than refused after the whole mapping."""
        user = self.host.user
        allowed = user is None or Permission.IMPORT_CASELOAD in permissions_of(
            frozenset(user.roles))
        self.steps.setEnabled(allowed)
        self.not_allowed.setVisible(not allowed)
        if not allowed:
            self.not_allowed.setText(
                "You may not import the caseload: importing is for "
                f"{importing_roles()}. Ask your QA team to import the export, or to add "
                "that role to your account.")
        return allowed

    # -- the steps ----------------------------------------------------------------
    def read_file(self) -> None:
        if not self._check_allowed():
            return
        path = self.file.text()
        if not path:
            self.preview_info.setText("Type the file's path, or choose Browse.")
            return
        self.host.call("Reading the file", lambda _ctx: preview_file(path)) \
            .success(self._previewed).run()

    def _previewed(self, preview: FilePreview) -> None:
        was_by_hand = self.preview is not None and self.mapping.currentData() == BY_HAND
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
        self._filling = True
        try:
            for choice in [*self.column_choices.values(), self.flags_column]:
                choice.clear()
                choice.addItem(NOT_MAPPED, None)
                for header in preview.headers:
                    choice.addItem(header, header)
        finally:
            self._filling = False
        if not self.profile_path.text():
            self.profile_path.setText(str(Path(self.file.text()).with_name(
                f"{Path(preview.file).stem}-mapping.json")))
        # A person mapping by hand stays so: their choices are kept (_suggest).
        wanted = BY_HAND if was_by_hand else preview.detected or BY_HAND
        index = self.mapping.findData(wanted)
        if index == self.mapping.currentIndex():
            self._mapping_changed(index)
        self.mapping.setCurrentIndex(index)

    def _mapping_changed(self, _index: int) -> None:
        by_hand = self.mapping.currentData() == BY_HAND
        self._describe_mapping()
        self.hand.setVisible(by_hand)
        self._fit_steps()
        if by_hand and self.preview is not None:
            self._suggest()

    def _suggest(self) -> None:
        """Start the hand mapping from what the person chose before (when the file still
        has that column), then the detected profile's columns, then the headers' words."""
        assert self.preview is not None
        suggested = suggested_columns(self.preview.detected, self.preview.headers)
        flags = self._flags_header()
        if flags is not None and flags not in suggested.values():
            suggested[FLAGS] = flags
        present = set(self.preview.headers)
        choices = {**self.column_choices, FLAGS: self.flags_column}
        self._filling = True
        try:
            for field, choice in choices.items():
                wanted = suggested.get(field)
                if field in self.chosen_columns:
                    mine = self.chosen_columns[field]
                    if mine is None or mine in present:
                        wanted = mine
                choice.setCurrentIndex(max(choice.findData(wanted), 0))
        finally:
            self._filling = False
        self._values_changed()

    def _flags_header(self) -> str | None:
        """The file's column of flag words: the detected profile's, or a usual header."""
        assert self.preview is not None
        by_fold = {h.casefold(): h for h in self.preview.headers}
        names = list(FLAG_HEADERS)
        if self.preview.detected is not None:
            flags = load_profile(self.preview.detected).flags
            if flags is not None and flags.column:
                names.insert(0, flags.column.casefold())
        return next((by_fold[n] for n in names if n in by_fold), None)

    def _column_chosen(self, field: str) -> None:
        """A column picked: remembered as the person's (unless the screen is filling
        the choices in), and the value words listed again if it holds values."""
        if self._filling:
            return
        choice = self.flags_column if field == FLAGS else self.column_choices[field]
        self.chosen_columns[field] = choice.currentData()
        if field in KIND_FIELDS.values():
            self._values_changed()

    def _hand_columns(self) -> dict[str, str | None]:
        return {f: c.currentData() for f, c in self.column_choices.items()}

    # -- the values ---------------------------------------------------------------
    def _value_columns(self) -> dict[str, str]:
        """Kind -> the file's column mapped to it (the flags column for flags)."""
        columns = self._hand_columns()
        found = {kind: column for kind, field in KIND_FIELDS.items()
                 if kind != "flags" and (column := columns.get(field))}
        flags = self.flags_column.currentData()
        if flags:
            found["flags"] = flags
        return found

    def _known_words(self) -> dict[str, dict[str, str]]:
        """The base profile's own value words, casefolded (kept by the hand mapping)."""
        assert self.preview is not None
        if self.preview.detected is None:
            return {}
        profile = load_profile(self.preview.detected)
        known = {kind: dict(words) for kind, words in profile.values.items()}
        if profile.flags is not None:
            known["flags"] = dict(profile.flags.words)
        return known

    def _values_changed(self) -> None:
        """List the words of every value column afresh, each with its app word chosen:
        the person's earlier choice, else the base profile's, else a recognised word."""
        if self._filling or self.preview is None:
            return
        self._remember_values()
        while self.values_grid.count():
            item = self.values_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.value_choices, self.value_words = {}, {}
        columns = self._value_columns()
        if self._vocabulary is None:
            self._vocabulary = Vocabulary([])
        known = self._known_words()
        row = 0
        notes: list[str] = []
        for kind in VALUE_KINDS:
            column = columns.get(kind)
            if column is None:
                continue
            separator = (self.separator.text() or ";") if kind == "flags" else None
            words = self.preview.words(column, separator)
            if not words:
                notes.append(f"The column '{column}' has too many different values to "
                             f"list here; it cannot be the {KIND_WORDS[kind]} column.")
                continue
            heading = plain_label(f"{HEADINGS[kind]} ('{column}'):")
            heading.setWordWrap(True)
            self.values_grid.addWidget(heading, row, 0, 1, 2)
            row += 1
            for found in words[:WORDS_SHOWN]:
                self._value_row(kind, found, known.get(kind, {}), row)
                row += 1
            if len(words) > WORDS_SHOWN:
                notes.append(f"{len(words) - WORDS_SHOWN:,} more {KIND_WORDS[kind]} words "
                             "are not listed: add them to the saved mapping file.")
        self.values_info.setText(" ".join(notes) if notes or columns else
                                 "Choose the legal status and RAG columns above: their "
                                 "words are listed here to map.")
        self.values_info.setVisible(bool(notes) or not columns)
        self._fit_steps()

    def _value_row(self, kind: str, found: FoundWord, known: dict[str, str], row: int
                   ) -> None:
        key = (kind, found.word.casefold())
        rows = f"{found.rows:,} row{'s' * (found.rows != 1)}"
        label = plain_label(f"{found.word} ({rows}):")
        label.setWordWrap(True)
        choice = QComboBox()
        # As wide as the column choices above, whatever the app's longest word: the list
        # shows every word whole.
        choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        choice.setMinimumContentsLength(14)
        choice.setAccessibleName(f"The app's {KIND_WORDS[kind]} for '{found.word}'")
        choice.setObjectName(f"value_{kind}_{found.word}")
        choice.addItem(NOT_MAPPED, None)
        for code, words in APP_WORDS[kind].items():
            choice.addItem(words, code)
        assert self._vocabulary is not None
        if key in self.chosen_values:
            wanted = self.chosen_values[key]
        else:
            wanted = known.get(found.word.casefold()) or self._vocabulary.recognise(
                kind, found.word)
        choice.setCurrentIndex(max(choice.findData(wanted), 0))
        choice.activated.connect(lambda _i, k=key, c=choice: self._value_chosen(k, c))
        label.setBuddy(choice)
        self.values_grid.addWidget(label, row, 0)
        self.values_grid.addWidget(choice, row, 1)
        self.value_choices[key] = choice
        self.value_words[key] = found.word

    def _value_chosen(self, key: tuple[str, str], choice: QComboBox) -> None:
        self.chosen_values[key] = choice.currentData()

    def _remember_values(self) -> None:
        """Keep every word's current choice: the list is about to be built again."""
        for key, choice in self.value_choices.items():
            self.chosen_values.setdefault(key, choice.currentData())

    def _hand_values(self) -> HandValues:
        """The value words mapped on screen, as the profile holds them."""
        words: dict[str, dict[str, str]] = {}
        for key, choice in self.value_choices.items():
            code = choice.currentData()
            if code:
                words.setdefault(key[0], {})[self.value_words[key]] = code
        return HandValues(words=words, flags_column=self.flags_column.currentData(),
                          separator=self.separator.text() or ";")

    def _profile(self) -> Profile | str | None:
        """The profile the import uses: a built-in name or the hand mapping (checked)."""
        chosen = self.mapping.currentData()
        if chosen != BY_HAND:
            return str(chosen)
        assert self.preview is not None
        return hand_profile(self.profile_name.text().strip() or "by hand",
                            self._hand_columns(), self.preview.headers,
                            base=self.preview.detected, values=self._hand_values())

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
                                   base=preview.detected, values=self._hand_values())
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
