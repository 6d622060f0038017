"""Every bad row of a refused import: row number, column and what is wrong.

Why a table a person can copy and save: the person fixing the export works in Excel;
they copy the rows they are fixing (Ctrl+C pastes as cells) or save the whole list as
CSV to work through or send to the case-system team. The words are the report's own:
they name the row and column, never the cell's value.
"""

from __future__ import annotations

from pathlib import Path

from desktop.qt import QApplication, QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from desktop.services.caseload.report import ImportReport, not_listed, problems_csv
from desktop.views.path_field import PathField
from desktop.views.plain import plain_label
from desktop.views.text_table import CopyableTableView, TextTableModel

HEADERS = ("Row", "Column", "What is wrong")


class ProblemsPanel(QWidget):
    """The refused rows of one import.

    Attributes:
        table: the problems; ``model`` holds them.
        more: the "and N more problems not listed" line (hidden when all are listed).
        save_path: where "Save as CSV" writes (typed, or chosen with Browse).
        saved: the sentence saying where the list was saved.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: ImportReport | None = None
        self.heading = plain_label()
        self.heading.setWordWrap(True)
        self.model = TextTableModel(HEADERS, self)
        self.table = CopyableTableView(self.model, "import_problems")
        self.table.setAccessibleName("Bad rows")
        self.heading.setBuddy(self.table)
        self.more = plain_label()
        self.more.setAccessibleName("Problems not listed")
        self.copy_button = QPushButton("Co&py all")
        self.copy_button.setAccessibleName("Copy every listed problem")
        self.copy_button.clicked.connect(self.copy_all)
        self.save_path = PathField("CSV file for the problems", "CSV files (*.csv)",
                                   save=True, browse_text="Bro&wse…")
        self.save_button = QPushButton("Save as CS&V")
        self.save_button.setAccessibleName("Save the problems as CSV")
        self.save_button.clicked.connect(self.save_csv)
        self.save_path.chosen.connect(lambda _path: self.save_csv())
        self.saved = plain_label()
        self.saved.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_path, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more)
        layout.addLayout(buttons)
        layout.addWidget(self.saved)
        self.setTabOrder(self.table, self.copy_button)
        self.setTabOrder(self.copy_button, self.save_path.edit)
        self.setTabOrder(self.save_path.edit, self.save_path.button)
        self.setTabOrder(self.save_path.button, self.save_button)

    def show_report(self, report: ImportReport) -> None:
        self.report = report
        rows = max(report.bad_rows, len({e.row for e in report.errors}))
        total = max(report.problem_count, len(report.errors))
        self.heading.setText(
            f"Nothing was imported: {rows:,} bad row{'s' * (rows != 1)} with {total:,} "
            f"problem{'s' * (total != 1)}. Fix them in the file and import it again. "
            "Select rows and press Ctrl+C to copy them.")
        self.model.set_rows([(e.row, e.column or "(the whole row)", e.reason)
                             for e in report.errors])
        self.table.resizeColumnsToContents()
        self.more.setText(not_listed(report.not_listed) if report.not_listed else "")
        self.more.setVisible(bool(report.not_listed))
        self.saved.clear()
        if not self.save_path.text():
            self.save_path.setText(str(Path.home() / f"{Path(report.file).stem}-problems.csv"))

    def copy_all(self) -> None:
        text = self.model.as_tsv(with_headers=True)
        if self.report is not None and self.report.not_listed:
            text += not_listed(self.report.not_listed) + "\n"
        QApplication.clipboard().setText(text)

    def save_csv(self) -> None:
        if self.report is None:
            return
        target = Path(self.save_path.text())
        if not self.save_path.text():
            self.saved.setText("Type where to save the list, or choose Browse.")
            return
        if target.suffix.lower() != ".csv":
            target = target.with_name(target.name + ".csv")
        try:
            target.write_text(problems_csv(self.report), encoding="utf-8-sig")
        except OSError as exc:
            self.saved.setText(f"The list could not be saved: {exc.strerror}.")
            return
        self.saved.setText(f"Saved the list as {target.name}.")
