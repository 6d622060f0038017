"""Colours the screens add to the system's palette, readable in light and dark mode.

Why pairs, always: the window follows the system's light or dark palette, so a colour
set on its own (dark red text) can vanish on a dark background. Every colour here comes
with its partner: a filled background with its own text colour, as the RAG tints do
(``case_table.RAG_COLOURS``). Colour is never the only signal: the words say it too.
"""

from __future__ import annotations

#: A problem beside a field: white on a strong red, readable on any window background
#: (contrast 6.5:1).
PROBLEM_STYLE = "color: white; background: #b3261e; padding: 2px 4px; font-weight: bold;"
