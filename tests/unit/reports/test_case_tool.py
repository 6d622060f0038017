"""The case tool PDF (seed 002, form 2) read back with pypdf, an independent reader.

The attack: user text that reportlab's markup would obey (``<b>``, ``&``, ``]]>``), a
formula, a 5,000-character answer, and names in Arabic, Polish and with emoji. Each
must print as itself, in full, with the marking and "Page n of N" on every page.
"""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest

from desktop.errors import InputProblem
from desktop.reports.case_tool import case_tool_pdf, resolve_audit
from desktop.reports.fonts import ensure_fonts
from desktop.reports.text import visual
from desktop.services.event_log import events_for
from desktop.store import Store
from tests.unit.reports import hostile
from tests.unit.reports.hostile import HostileAudit, in_order, logical, read_pdf, squash


@pytest.fixture
def audit(store: Store) -> HostileAudit:
    return hostile.build(store)


def test_every_answer_action_and_comment_prints_as_text(audit: HostileAudit,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "tool.pdf"
    case_tool_pdf(audit.ctx, audit.audit_id, out)
    pdf = read_pdf(out)
    flat = pdf.squashed
    for typed in (hostile.MARKUP, hostile.FORMULA, hostile.ACTION, hostile.NEXT_STEPS,
                  hostile.POLISH_TEAM, hostile.EMOJI_AUDITOR, audit.case_ref,
                  "Theme or topic of the dip sample", "Not met", "Partly met",
                  "Requires improvement", "2 Nov 2026", "20 Nov 2026", "Ł.Ż."):
        assert squash(typed) in flat, typed
    # The comment holds Arabic, printed shaped on its own line of display order.
    assert squash("Query: why ]]> & <i>this</i>?") in flat
    assert in_order(hostile.LONG.split(), pdf.text) == []
    assert "Rating on the record: Amber. Auditor's rating: Red." in pdf.text
    assert "awaiting an answer" in pdf.text
    assert "No positive practice was recorded." in pdf.text  # empty says so


def test_right_to_left_names_print_shaped_and_read_back_as_typed(audit: HostileAudit,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "tool.pdf"
    case_tool_pdf(audit.ctx, audit.audit_id, out)
    printed = visual(hostile.ARABIC_WORKER)
    assert printed != hostile.ARABIC_WORKER  # shaped and reordered, not raw
    assert logical(printed) == hostile.ARABIC_WORKER
    # pypdf puts right-to-left runs back in reading order; the letters are the shaped
    # forms, which Unicode's compatibility normalisation maps back to the typed ones.
    assert hostile.ARABIC_WORKER in unicodedata.normalize("NFKC", read_pdf(out).text)


def test_no_character_falls_back_to_a_missing_glyph_box() -> None:
    coverage = ensure_fonts()
    drawable = coverage.body | coverage.symbols
    for name in (hostile.ARABIC_WORKER, hostile.POLISH_TEAM, hostile.EMOJI_AUDITOR,
                 hostile.POLISH_CHILD):
        shown = visual(name)
        assert [c for c in shown if c != " " and ord(c) not in drawable] == [], name


def test_marking_and_page_numbers_on_every_page(audit: HostileAudit) -> None:
    buffer = io.BytesIO()
    case_tool_pdf(audit.ctx, audit.audit_id, buffer)
    buffer.seek(0)
    pages = read_pdf(buffer).pages
    assert len(pages) >= 2  # the 5,000-character answer flows over a page
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, number
        assert f"Page {number} of {len(pages)}" in text


def test_the_export_is_logged_by_ids_only(audit: HostileAudit, tmp_path: Path) -> None:
    case_tool_pdf(audit.ctx, audit.audit_id, tmp_path / "tool.pdf")
    exports = [e for e in events_for(audit.ctx, "audit", audit.audit_id)
               if e.action == "export"]
    assert len(exports) == 1 and exports[0].user_id == audit.world.auditor
    assert '"pdf"' in exports[0].detail_json and "Łucja" not in exports[0].detail_json


def test_a_short_id_is_accepted_and_an_unknown_one_refused(audit: HostileAudit) -> None:
    assert resolve_audit(audit.ctx, audit.audit_id[:8]) == audit.audit_id
    with pytest.raises(InputProblem):
        resolve_audit(audit.ctx, "ffffffff")
