"""What comes out of the Reports screen: saved files, the pages on show, printed paper.

Why one class for the three: each writes the same PDF from the same choice (the Pages
tab draws it, Print sends the pages drawn, Save writes it to a file), so the writer of
each report is chosen in one place (:func:`pdf_writer`) and what prints is what was
shown. Saving goes through :mod:`desktop.views.save_report` (written on the worker with
progress and Cancel); the pages through :mod:`desktop.views.pdf_pages`. A week's case
tools are one document: the Pages tab shows all of them, Print prints all of them (each
from a new page, with its case reference on every page) and logs one print per case
tool, Save writes one PDF with a bookmark per case, or one file per case when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktop.errors import UserError
from desktop.qt import QDialog, Qt, QtPrintSupport, QWidget
from desktop.reports.case_tool import (
    BatchResult,
    WeekResult,
    week_case_tools,
    week_case_tools_pdf,
)
from desktop.reports.exports import export
from desktop.reports.monthly import monthly_pdf
from desktop.services.context import ServiceContext
from desktop.services.event_log import log_changes
from desktop.views.pdf_pages import PdfPages, PrintJob, owned_printer, pdf_bytes
from desktop.views.report_choice import (
    CASE_TOOLS,
    EXPORT,
    PLAN,
    SUMMARY,
    WEEKLY,
    ReportChoice,
)
from desktop.views.report_previews import Preview
from desktop.views.save_report import CSV_FILTER, PDF_FILTER, XLSX_FILTER, ReportSaver
from desktop.views.screen import Host
from desktop.views.worker import show_error

#: A PDF report's writer: ``write(ctx, path)``, as desktop/reports' functions are.
Writer = Callable[[ServiceContext, Path], object]


def pdf_writer(choice: ReportChoice) -> tuple[str, Writer] | None:
    """The file name offered and the writer of the PDF report chosen (None: nothing
    chosen to write)."""
    kind, week, month, exercise, plan = (choice.kind, choice.week, choice.month,
                                         choice.exercise, choice.plan)
    if kind is CASE_TOOLS:
        auditor, tools = choice.auditor, choice.tools
        return (f"case-tools_{week}.pdf",
                lambda ctx, path: week_case_tools_pdf(ctx, auditor, week, path, tools))
    if kind is WEEKLY:
        from desktop.reports.weekly import weekly_pdf

        return (f"weekly-report_{week}.pdf",
                lambda ctx, path: weekly_pdf(ctx, week, path))
    if kind is SUMMARY:
        from desktop.reports.summary import summary_pdf

        return None if exercise is None else (
            f"exercise-summary_{exercise[:8]}.pdf",
            lambda ctx, path: summary_pdf(ctx, exercise, path))
    if kind is PLAN:
        from desktop.reports.plan import plan_pdf

        return (f"improvement-plan_{plan[:8] if plan else 'all'}.pdf",
                lambda ctx, path: plan_pdf(ctx, path, plan))
    messages = choice.messages
    return (f"monthly-qa-report_{month}.pdf",
            lambda ctx, path: monthly_pdf(ctx, month, path, messages))


def _log_prints(ctx: ServiceContext, audit_ids: tuple[str, ...]) -> None:
    """One print entry per case tool printed, in one transaction (a week is 450)."""
    with ctx.store.transaction() as session:
        log_changes(session, ctx, [("print", "audit", audit_id, {"report": "case_tool"})
                                   for audit_id in audit_ids])


class ReportOutput:
    """Save, draw the pages of, and print the report chosen on the Reports screen.

    It holds no choice and no preview of its own: it asks ``choice()`` and
    ``preview()`` (the screen's) each time, so it always writes what is on screen.

    Attributes:
        saver: the file dialog, the writing and the "Saved … Open" line.
        pages: the Pages tab's view of the PDF.
        printer: kept once Print was used (the dialog remembers the choice).
        print_dialog: the print dialog while open (tests accept it).
        print_job: the pages being sent to the printer.
    """

    def __init__(self, host: Host, owner: QWidget, choice: Callable[[], ReportChoice],
                 preview: Callable[[], Preview | None]) -> None:
        """``owner``: the screen, parent of the dialogs and owner of the printer."""
        self.host = host
        self.owner = owner
        self.choice = choice
        self.preview = preview
        self.saver = ReportSaver(host)
        self.pages = PdfPages()
        #: What the pages on show are of (a :meth:`ReportChoice.pages_key`), and a
        #: number that drops the answers of drawings asked for before the last.
        self._pages_of: tuple[object, ...] | None = None
        self._pages_generation = 0
        self.printer: QtPrintSupport.QPrinter | None = None
        self.print_dialog: QtPrintSupport.QPrintDialog | None = None
        self.print_job: PrintJob | None = None

    # -- saving -----------------------------------------------------------------------
    def save(self) -> None:
        """Ask where, then write the report chosen: a PDF, a folder of case tools, or
        the export's workbook or CSV file."""
        choice = self.choice()
        if choice.kind is CASE_TOOLS and choice.separate:
            self._save_folder(choice)
        elif choice.kind is EXPORT:
            fmt, tables, period = choice.file_format, choice.tables, choice.period
            self.saver.save_file("Save the export", f"dipsample-{'-'.join(tables)}.{fmt}",
                                 XLSX_FILTER if fmt == "xlsx" else CSV_FILTER,
                                 "Writing the export",
                                 lambda ctx, path: export(ctx, fmt, path, kinds=tables,
                                                          period=period))
        else:
            self._save_pdf(choice)

    def _save_folder(self, choice: ReportChoice) -> None:
        """The week's case tools, one file per case, into a folder."""
        week, auditor, tools = choice.week, choice.auditor, choice.tools

        def said(result: BatchResult, folder: Path) -> str:
            count = len(result.files)
            return (f"Saved {count} case tool{'s' if count != 1 else ''} of {week} "
                    f"in {folder}.")

        self.saver.save_folder(f"Folder for the case tools of {week}",
                               "Writing the week's case tools",
                               lambda ctx, folder: week_case_tools(ctx, auditor, week,
                                                                   folder, tools), said)

    def _save_pdf(self, choice: ReportChoice) -> None:
        """Ask where, then write the PDF report chosen."""
        chosen = pdf_writer(choice)
        if chosen is None:
            return
        name, write = chosen
        what = choice.kind.what()
        said = None
        if choice.kind is CASE_TOOLS:
            week = choice.week

            def said(result: object, path: Path) -> str:
                count = len(result.audit_ids) if isinstance(result, WeekResult) else 0
                return (f"Saved {count} case tool{'s' if count != 1 else ''} of {week} in "
                        f"{path.name} ({path.parent}), a bookmark per case.")

        self.saver.save_file(f"Save the {what}", name, PDF_FILTER, f"Writing the {what}",
                             write, said)

    # -- pages ------------------------------------------------------------------------
    def _page_source(self) -> tuple[tuple[object, ...], str, Writer] | str:
        """What the Pages tab and Print show now: a key (the choice it depends on), a
        name and the PDF's writer; or the sentence saying why there are no pages."""
        choice, preview = self.choice(), self.preview()
        if choice.kind is EXPORT:
            return "An export is a spreadsheet: it has no pages. Contents shows its rows."
        if choice.kind is CASE_TOOLS and (preview is None or not preview.audit_ids):
            return "No case tools in the week as chosen: nothing to show."
        chosen = pdf_writer(choice)
        if chosen is None:
            return "Choose what the report is about to see its pages."
        what = (f"case tools of {choice.week}" if choice.kind is CASE_TOOLS
                else choice.kind.what())
        return choice.pages_key(), f"the {what}", chosen[1]

    def load_pages(self, then: Callable[[], None] | None = None) -> None:
        """Write the chosen report's PDF on the worker and show its pages; ``then``
        once they show (at once if the pages on show are of the choice already)."""
        source = self._page_source()
        if isinstance(source, str):
            self._pages_of = None
            self.pages.clear(source)
            return
        key, what, write = source
        if key == self._pages_of and self.pages.document is not None:
            if then is not None:
                then()
            return
        self._pages_generation += 1
        generation = self._pages_generation
        self.pages.clear(f"Drawing the pages of {what}…")

        def shown(data: bytes) -> None:
            if generation != self._pages_generation:
                return
            self._pages_of = key
            self.pages.show_pdf(data, what)
            if then is not None and self.pages.document is not None:
                then()

        def failed(exc: BaseException) -> None:
            if generation != self._pages_generation:
                return
            self.pages.clear(f"No pages: {exc.message}" if isinstance(exc, UserError) else
                             "No pages.")
            if not isinstance(exc, UserError):
                show_error(self.owner, exc, self.host.db_path)

        (self.host.call(f"Drawing the pages of {what}", lambda ctx: pdf_bytes(ctx, write))
         .success(shown).failure(failed)
         .cancelled(lambda: self.pages.clear("Cancelled: no pages drawn.")).run())

    def forget_pages(self) -> None:
        """The pages on show are no longer of the choice: cleared, and a drawing still
        on its way is dropped when it comes."""
        self._pages_generation += 1
        self._pages_of = None
        self.pages.clear("")

    # -- printing ---------------------------------------------------------------------
    def print_report(self) -> None:
        """The system's print dialog for the report chosen, its pages drawn first."""
        self.load_pages(then=self._ask_printer)

    def _ask_printer(self) -> None:
        if self.print_dialog is not None or self.print_job is not None:
            return
        if self.printer is None:
            self.printer = owned_printer(self.owner)  # kept: the dialog remembers it
        dialog = QtPrintSupport.QPrintDialog(self.printer, self.owner)
        dialog.setWindowTitle("Print")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.print_dialog = dialog
        dialog.accepted.connect(self._print)
        dialog.finished.connect(lambda _code: setattr(self, "print_dialog", None))
        QDialog.open(dialog)  # QPrintDialog.open() in PySide6 wants a receiver and a slot

    def _print(self) -> None:
        data, printer, preview = self.pages.data, self.printer, self.preview()
        if data is None or printer is None:
            return
        pages_of = self._pages_of
        printed = (tuple(preview.audit_ids) if preview is not None and pages_of
                   and pages_of[0] == CASE_TOOLS.key else ())
        job = PrintJob(data, printer, self.owner)
        self.print_job = job

        def finished(done: bool) -> None:
            self.print_job = None
            job.deleteLater()
            count = job.printed
            if not done:
                self.saver.line.said("Printing was cancelled or the printer refused it.")
                return
            self.saver.line.said(f"Sent {count} page{'' if count == 1 else 's'} to "
                                 f"{printer.printerName() or 'the printer'}.")
            if printed:
                self.host.call("Recording the print", lambda ctx: _log_prints(ctx, printed),
                               dialog=False).run()

        job.finished.connect(finished)
        job.start()
