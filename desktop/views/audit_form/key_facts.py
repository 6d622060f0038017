"""The case's key facts beside the audit form: what an auditor checks the record against.

Why beside the form: an auditor answering "Has the VTT been completed?" or "Do you agree
with the RAG rating?" checks the case's dates and rating while answering; on another
screen they had to leave the form to look. The panel shows the RAG and how it got there,
the cohort, the allocated worker and team, and when the visit, management oversight,
VTT review and risk assessment were last done, each with its practice standard's status
as the standards engine words it (the service reads it on the worker; the panel holds no
rules). A status is in words and in colour, never in colour alone.

Why two arrangements: beside a wide form the facts read as one column; above a narrow
form (a 1024-pixel window, or 125% scaling) they take two columns, so the questions
keep the width and the facts stay a few lines high.
"""

from __future__ import annotations

from desktop.models.enums import Rag
from desktop.qt import QGridLayout, QGroupBox, QLabel, Qt, QVBoxLayout, QWidget, Signal
from desktop.services.case_detail import KeyFacts, day_text
from desktop.views.case_detail import STATUS_COLOURS
from desktop.views.case_table import RAG_COLOURS
from desktop.views.plain import plain_label, plain_tip

#: The facts about who and what, in reading order: key -> caption.
IDENTITY_ROWS = {"rag": "RAG", "history": "RAG history", "cohort": "Cohort",
                 "worker": "Worker", "team": "Team"}
#: The dated facts: the standard's code (the service's order) and the virtual visit.
DATED_ROWS = ("visit_f2f", "visit_complex_green", "oversight", "vtt_review",
              "risk_assessment", "virtual")
#: RAG changes listed before "and N earlier".
HISTORY_SHOWN = 3
WAITING = "Open an audit to see its case's facts."


def rag_words(facts: KeyFacts) -> str:
    rag = (facts.rag or "not rated").title()
    return f"{rag}, since {day_text(facts.rag_set_on)}" if facts.rag_set_on else rag


def history_words(facts: KeyFacts) -> str:
    """The newest changes first: "Amber to Red on 03/11/2026; ..."."""
    if not facts.rag_history:
        return "No changes on record"
    steps = [f"{(step.rag_from or 'not rated').title()} to {step.rag_to.title()} on "
             f"{day_text(step.on)}" for step in facts.rag_history[:HISTORY_SHOWN]]
    more = len(facts.rag_history) - HISTORY_SHOWN
    return "; ".join(steps) + (f"; and {more} earlier" if more > 0 else "")


def _tint(label: QLabel, colours: tuple[str, str] | None) -> None:
    """Light background, dark text (both set, so it reads in a dark palette too)."""
    label.setStyleSheet("" if colours is None else
                        f"background: {colours[0]}; color: {colours[1]}; padding: 1px 3px;")


class KeyFactsPanel(QGroupBox):
    """Signals:
        shown(KeyFacts): a case's facts are on screen.

    Attributes:
        facts: the facts shown, or None.
        values: the label of each fact by key (``IDENTITY_ROWS``' keys, the standards'
            codes and "virtual"), reading "Caption: value", named for a screen reader by
            its caption. message: why nothing is shown (none yet, or not readable).
    """

    shown = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Case facts", parent)
        self.setObjectName("key_facts")
        self.setAccessibleName("The case's key facts")
        self.facts: KeyFacts | None = None
        self.columns = 0
        self.message = plain_label(WAITING)
        self.message.setWordWrap(True)
        # A group box's title never wraps: the case and the day go in a label that does.
        self.heading = plain_label()
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Case")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.values: dict[str, QLabel] = {}
        for key in (*IDENTITY_ROWS, *DATED_ROWS):
            value = plain_label()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.values[key] = value
        # Who and what in one group, the dates in another: side by side above the form,
        # one under the other beside it.
        self.groups: list[QWidget] = []
        for keys in (IDENTITY_ROWS, DATED_ROWS):
            group = QWidget()
            column = QVBoxLayout(group)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(3)
            for key in keys:
                column.addWidget(self.values[key])
            column.addStretch(1)
            self.groups.append(group)
        self.grid = QGridLayout(self)
        self.grid.addWidget(self.message, 0, 0, 1, 2)
        self.grid.addWidget(self.heading, 1, 0, 1, 2)
        self.set_columns(1)
        self.clear()

    # -- arrangement ------------------------------------------------------------------
    def set_columns(self, columns: int) -> None:
        """One column (beside the form) or two (above it): who and what on the left,
        the dates on the right."""
        if columns == self.columns:
            return
        self.columns = columns
        who, when = self.groups
        self.grid.removeWidget(who)
        self.grid.removeWidget(when)
        self.grid.addWidget(who, 2, 0, 1, 2 if columns == 1 else 1)
        if columns == 1:
            self.grid.addWidget(when, 3, 0, 1, 2)
        else:
            self.grid.addWidget(when, 2, 1)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1 if columns == 2 else 0)

    # -- showing ----------------------------------------------------------------------
    def clear(self, message: str = WAITING) -> None:
        self.facts = None
        self.message.setText(message)
        self.message.show()
        self.heading.hide()
        for value in self.values.values():
            value.hide()

    def show_facts(self, facts: KeyFacts) -> None:
        self.facts = facts
        state = (f"closed on {day_text(facts.closed_on)}" if facts.closed_on
                 else facts.status.replace("_", " "))
        self.heading.setText(f"{facts.case_ref} ({state}) on {day_text(facts.as_of)}")
        self.heading.show()
        self.message.hide()
        texts = {"rag": rag_words(facts), "history": history_words(facts),
                 "cohort": facts.cohort_text,
                 "worker": facts.worker or "none allocated", "team": facts.team or "none"}
        for key, text in texts.items():
            self._set(key, IDENTITY_ROWS[key], text, text)
        rag = Rag(facts.rag) if facts.rag in {r.value for r in Rag} else None
        _tint(self.values["rag"], RAG_COLOURS.get(rag) if rag is not None else None)
        shown = {fact.compliance.standard: fact for fact in facts.dated}
        for key in DATED_ROWS[:-1]:
            fact = shown.get(key)
            if fact is None:
                self.values[key].hide()
                continue
            status = fact.compliance
            self._set(key, fact.label, f"{fact.last_text}. {status.text}",
                      status.basis or status.text)
            _tint(self.values[key], STATUS_COLOURS.get(status.status))
        virtual = day_text(facts.last_virtual_visit) if facts.last_virtual_visit else ""
        self._set("virtual", "Last virtual visit", virtual or "none on record",
                  "No practice standard counts virtual visits")
        self.shown.emit(facts)

    def _set(self, key: str, caption: str, text: str, tip: str) -> None:
        value = self.values[key]
        value.setText(f"{caption}: {text}")
        value.setAccessibleName(caption)
        value.setToolTip(plain_tip(tip))
        value.show()

    def text_of(self, key: str) -> str:
        """What the fact ``key`` says on screen, caption and all ("" when not shown)."""
        value = self.values[key]
        return value.text() if not value.isHidden() else ""
