"""Quota progress of a week's sample: one line per RAG stratum.

Why a bar and words: the bar shows at a glance how much of the week's auditing is
done; the words carry what the bar cannot (drawn against wanted, and why a stratum is
short), and the stratum's name is written out, so colour is never the only signal.
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
        grid.setColumnStretch(3, 1)

    def show_quotas(self, quotas: Sequence[QuotaProgress]) -> None:
        for quota in quotas:
            bar = self.bars.get(quota.rag)
            if bar is None:
                continue
            bar.setMaximum(max(quota.wanted, 1))
            bar.setValue(min(quota.audited, max(quota.wanted, 1)))
            self.counts[quota.rag].setText(quota_words(quota))
            self.shortfalls[quota.rag].setText(
                f"Short: {quota.shortfall_text}" if quota.shortfall_text else "")
