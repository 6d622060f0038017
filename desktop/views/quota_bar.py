"""Quota progress of a week's sample: one line per RAG stratum.

Why a bar and words: the bar shows at a glance how much of the week's auditing is
done; the words carry what the bar cannot (drawn against wanted, and why a stratum is
short), and the stratum's name is written out, so colour is never the only signal.

Why a line under the bars for the week's audits: the bars count this sample's cases,
while the QA dashboard counts every audit of the auditor dated in the week, sampled or
not (an audit started from the case list, the demo county's history). An auditor with
26 audits on the dashboard read "0 audited" here; the line shows the dashboard's figure
beside the sample's, so the two screens agree and say what each counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.models.enums import Rag
from desktop.qt import QGridLayout, QGroupBox, QLabel, QProgressBar, QWidget
from desktop.services.sampling.my_week import QuotaProgress
from desktop.views.case_table import RAG_COLOURS
from desktop.views.plain import plain_label
from desktop.views.week_table import rag_word


def quota_words(quota: QuotaProgress) -> str:
    return f"{quota.drawn} drawn, {quota.audited} audited, {quota.wanted} wanted"


class QuotaPanel(QGroupBox):
    """Attributes:
        bars, counts, shortfalls: by RAG code, the bar and the two lines of words.
        week_audits: the auditor's audits dated in the week, as the QA dashboard counts
            them against the quota.
    """

    def __init__(self, rags: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__("Quota progress", parent)
        self.setAccessibleName("Quota progress")
        grid = QGridLayout(self)
        self.bars: dict[str, QProgressBar] = {}
        self.counts: dict[str, QLabel] = {}
        self.shortfalls: dict[str, QLabel] = {}
        for row, rag in enumerate(rags):
            name = plain_label(rag_word(rag))
            background, foreground = RAG_COLOURS[Rag(rag)]
            name.setStyleSheet(f"background: {background}; color: {foreground}; "
                               "padding: 1px 6px; font-weight: bold")
            bar = QProgressBar()
            bar.setAccessibleName(f"{rag_word(rag)} cases audited")
            bar.setFormat("%v of %m audited")
            bar.setTextVisible(True)
            count = plain_label("")
            count.setAccessibleName(f"{rag_word(rag)} quota")
            short = plain_label("")
            short.setAccessibleName(f"{rag_word(rag)} shortfall")
            short.setWordWrap(True)
            grid.addWidget(name, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(count, row, 2)
            grid.addWidget(short, row, 3)
            self.bars[rag], self.counts[rag], self.shortfalls[rag] = bar, count, short
        self.week_audits = plain_label("")
        self.week_audits.setAccessibleName("Your audits this week")
        self.week_audits.setWordWrap(True)
        grid.addWidget(self.week_audits, len(rags), 0, 1, 4)
        grid.setColumnStretch(3, 1)

    def show_quotas(self, quotas: Sequence[QuotaProgress], week_audits: int | None = None
                    ) -> None:
        """The sample's progress; and ``week_audits``, the week's audits as the QA
        dashboard counts them (None: not shown)."""
        self.week_audits.setVisible(week_audits is not None)
        if week_audits is not None:
            sampled = sum(q.audited for q in quotas)
            self.week_audits.setText(
                f"Your audits dated this week, from this sample or not: {week_audits} "
                f"(the figure the QA dashboard counts against your quota; {sampled} of "
                "this sample's cases are audited).")
        for quota in quotas:
            bar = self.bars.get(quota.rag)
            if bar is None:
                continue
            bar.setMaximum(max(quota.wanted, 1))
            bar.setValue(min(quota.audited, max(quota.wanted, 1)))
            self.counts[quota.rag].setText(quota_words(quota))
            self.shortfalls[quota.rag].setText(
                f"Short: {quota.shortfall_text}" if quota.shortfall_text else "")
