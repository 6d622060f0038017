"""A reportlab paragraph that parses each distinct piece of markup once per process.

Why: reportlab builds a new XML parser for every paragraph and parses its markup into
styled fragments, a fifth of the time of a week's case tools in one PDF. A week's batch
repeats itself: 450 case tools print the same headings, the same questions with the same
few answers ("Met", "Not met"), and the same "none recorded" sentences; 60 case tools of
the demo county held 2,324 paragraphs of 199 distinct texts. So the fragments of each
(markup, style) are kept, and a paragraph made again from the same pair gets copies of
them instead of a parse. Copies, because laying a paragraph out may change its
fragments (a table cell set smaller changes their size: :func:`layout.fit_words`).

What is kept is bounded (:data:`LIMIT` entries, then started afresh), and only markup
shorter than :data:`LONGEST` characters: a long free-text answer is rarely printed
twice, and keeping it would hold personal text in memory for no gain.
"""

from __future__ import annotations

import threading
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as ReportlabParagraph

#: Distinct (markup, style) pairs kept before the cache starts again.
LIMIT = 4096
#: Markup longer than this is parsed every time and not kept.
LONGEST = 400

#: (markup, id of the style) -> (the style, the style the parse gave, fragments, bullet).
_parsed: dict[tuple[str, int], tuple[ParagraphStyle, Any, list[Any], Any]] = {}
_lock = threading.Lock()


class Paragraph(ReportlabParagraph):
    """A :class:`reportlab.platypus.Paragraph` whose markup is parsed once per style.

    It is a Paragraph in every other way (reportlab's tables, frames and our
    right-to-left drawing treat it as one)."""

    def _setup(self, text: str, style: ParagraphStyle, bulletText: Any, frags: Any,
               cleaner: Any) -> None:
        if frags is not None or len(text) > LONGEST:
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        # Keyed by the style object itself (two styles of one name may differ), held in
        # the entry so that its id cannot be reused by another style while kept.
        key = (text, id(style))
        with _lock:
            known = _parsed.get(key)
        if known is None or known[0] is not style:
            super()._setup(text, style, bulletText, None, cleaner)
            with _lock:
                if len(_parsed) >= LIMIT:
                    _parsed.clear()
                _parsed[key] = (style, self.style, [frag.clone() for frag in self.frags],
                                self.bulletText)
            return
        _style, parsed_style, kept, kept_bullet = known
        super()._setup(text, parsed_style, bulletText or kept_bullet,
                       [frag.clone() for frag in kept], cleaner)
        # reportlab keeps the markup as cleaned by the parse; the same text it was.
        self.text = cleaner(text)
