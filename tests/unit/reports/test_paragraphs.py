"""The paragraph that parses each markup once: the same result as a parse, never shared."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph as ReportlabParagraph

from desktop.reports import paragraphs
from desktop.reports.layout import fit_words, styles
from desktop.reports.paragraphs import Paragraph

MARKUP = "1. Is the plan up to date?<br/><b>Answer:</b> Partly met &amp; <i>late</i>"


def _frags(paragraph: ReportlabParagraph) -> list[tuple[str, str, float]]:
    return [(f.text, f.fontName, f.fontSize) for f in paragraph.frags]


def test_a_second_paragraph_of_the_same_markup_is_the_parse_not_a_shared_copy() -> None:
    body = styles().body
    parsed = ReportlabParagraph(MARKUP, body)
    made = [Paragraph(MARKUP, body) for _ in range(3)]
    assert all(_frags(p) == _frags(parsed) and p.text == parsed.text for p in made)
    # A cell set smaller changes its own fragments: the next paragraph is unchanged.
    for paragraph in made:
        fit_words(paragraph, 20)
        assert _frags(paragraph) != _frags(parsed)
        assert _frags(Paragraph(MARKUP, body)) == _frags(parsed)


def test_the_style_is_part_of_what_is_kept() -> None:
    body = styles().body
    big = ParagraphStyle("big", parent=body, fontSize=20, leading=24)
    assert Paragraph(MARKUP, body).frags[0].fontSize == body.fontSize
    assert Paragraph(MARKUP, big).frags[0].fontSize == 20
    assert Paragraph(MARKUP, body).frags[0].fontSize == body.fontSize


def test_long_markup_is_parsed_every_time_and_kept_nowhere() -> None:
    body = styles().body
    long = "A long free-text answer. " * 40
    before = dict(paragraphs._parsed)
    made = Paragraph(long, body)
    assert "".join(f.text for f in made.frags).split() == long.split()
    assert not any(key[0] == long for key in paragraphs._parsed if key not in before)


def test_what_is_kept_is_bounded() -> None:
    body = styles().body
    for n in range(paragraphs.LIMIT + 5):
        Paragraph(f"heading {n}", body)
    assert len(paragraphs._parsed) <= paragraphs.LIMIT
    assert Paragraph("heading 3", body).frags[0].text == "heading 3"
