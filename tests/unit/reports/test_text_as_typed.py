"""Text prints as typed, read back from the PDF's text layer with pypdf: a right-to-left
paragraph of several lines reads in order, common emoji keep every character, a narrow
table column never breaks a word, and a heading is never alone at a page's foot."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Paragraph, Spacer

from desktop.reports.fonts import ensure_fonts
from desktop.reports.layout import FRAME_WIDTH, MARGIN, PAGE_HEIGHT, build, heading, styles, table
from desktop.reports.text import markup, visual
from tests.unit.reports.hostile import in_order, read_pdf, squash

HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
#: Distinct Hebrew words, so a test can find each one in its place.
WORDS = [HEBREW[n % 22] + HEBREW[(n // 22) % 22] + HEBREW[(n * 7) % 22] + "ם"
         for n in range(60)]
#: Thirty emoji people type in notes: faces, hands with skin tones, ticks and crosses,
#: hearts, children, a family (joined by zero-width joiners), a keycap.
EMOJI = ["🙂", "😀", "😊", "😢", "😭", "😡", "👍", "👎", "👏", "🙏", "👶", "🧒", "👧",
         "👦", "❤️", "💔", "✅", "❌", "⚠️", "⭐", "🎉", "🏠", "📞", "💬", "👍🏽", "🙏🏿",
         "👋🏻", "👶🏾", "👨‍👩‍👧", "1️⃣"]


def test_a_right_to_left_paragraph_reads_in_order_line_by_line(tmp_path: Path) -> None:
    text = " ".join(WORDS)
    out = tmp_path / "rtl.pdf"
    build(out, "Synthetic report", [Paragraph(markup(text), styles().body)])
    page = read_pdf(out).pages[0]
    lines = [line for line in page.splitlines() if any(w in line for w in WORDS)]
    assert len(lines) >= 3  # the paragraph wrapped over three lines at least
    # Each line holds the words that follow the line before's, in the order typed: a
    # reader puts a right-to-left line back in reading order, and the first line drawn
    # at the top is the first typed (bidi before wrapping printed the last one there).
    assert WORDS[0] in lines[0] and WORDS[-1] in lines[-1]
    assert in_order(WORDS, "\n".join(lines)) == []


def test_a_right_to_left_line_in_a_mixed_paragraph_keeps_its_pieces(tmp_path: Path) -> None:
    """A bold label, Hebrew, brackets and an emoji on one line: each piece in its font,
    the Hebrew reversed in place, the brackets mirrored."""
    shown = visual("שלום (abc) 🙂")
    assert shown == "🙂 (abc) םולש"
    out = tmp_path / "mixed.pdf"
    build(out, "Synthetic report", [Paragraph(f"<b>Answer:</b> {markup('שלום (abc) 🙂')}",
                                              styles().body)])
    assert "Answer:" in read_pdf(out).text


def test_thirty_common_emoji_survive_in_the_text_layer(tmp_path: Path) -> None:
    coverage = ensure_fonts()
    drawable = coverage.body | coverage.symbols | coverage.emoji
    for emoji in EMOJI:
        assert [c for c in emoji if ord(c) not in drawable] == [], emoji  # no box
    out = tmp_path / "emoji.pdf"
    note = "Child's note: " + " ".join(EMOJI)
    build(out, "Synthetic report", [Paragraph(markup(note), styles().body),
                                    table([["Note"], [note]], [FRAME_WIDTH])])
    text = read_pdf(out).text
    flat = squash(text)
    for emoji in EMOJI:
        assert flat.count(emoji) >= 2, emoji  # in the paragraph and the table cell


def test_narrow_table_columns_wrap_between_words(tmp_path: Path) -> None:
    s = styles()
    rows = [["Team", "RAG disagreements", "By when"],
            ["Mid & East", Paragraph("Commencing September", s.small), "Escalations"]]
    out = tmp_path / "narrow.pdf"
    build(out, "Synthetic report", [table(rows, [FRAME_WIDTH * 0.5, 60.0, 60.0])])
    text = read_pdf(out).text
    for word in ("disagreements", "Commencing", "Escalations"):
        assert word in text, word  # whole: a word broken over two lines is not


def test_a_heading_is_never_alone_at_the_foot_of_a_page(tmp_path: Path) -> None:
    s = styles()
    frame = PAGE_HEIGHT - 2 * MARGIN - 12  # the frame's padding, 6 points each side
    # Room left for the heading but not for it and two lines of what follows.
    story = [Spacer(1, frame - 45), *heading("Synthetic heading"),
             Paragraph("Synthetic text " * 200, s.body)]
    out = tmp_path / "heading.pdf"
    build(out, "Synthetic report", story)
    pages = read_pdf(out).pages
    assert "Synthetic heading" not in pages[0]
    assert "Synthetic heading" in pages[1]
    assert pages[1].index("Synthetic heading") < pages[1].index("Synthetic text")
