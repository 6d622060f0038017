"""Counts in words ("1 audit", "1,250 audits") for the window, the command line and the reports.

Why one module: five copies of ``plural`` had grown in the window, the command line and
the reports, two grouping thousands and three not, and a sixth place spelled it out by
hand ("1 RAG disagreement on 1 audits").
"""

from __future__ import annotations


def plural(count: int, word: str, words: str | None = None) -> str:
    """"1 audit", "2 audits", "1,250 audits" (``words`` for an irregular plural)."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"
