"""Text meets WCAG AA contrast (4.5:1) in a light and a dark palette: every colour pair
the screens draw text in, and the muted text of a dropped case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.qt import QApplication, QColor, QPalette, Qt
from desktop.services.sampling.my_week import WeekCase
from desktop.views.audit_form.fields import problem_label
from desktop.views.case_detail import STATUS_COLOURS
from desktop.views.case_table import RAG_COLOURS
from desktop.views.palette import (
    AA,
    DARK,
    LIGHT,
    PROBLEM_BACKGROUND,
    PROBLEM_TEXT,
    contrast,
    muted_text,
    reference_palette,
)
from desktop.views.row_table import TONE_COLOURS
from desktop.views.week_table import CHILD, WeekTableModel


def test_the_contrast_ratio_is_wcags() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#123456", "#123456") == pytest.approx(1)


def test_every_pair_of_text_and_its_own_background_meets_aa() -> None:
    pairs = {f"RAG {rag}": pair for rag, pair in RAG_COLOURS.items()}
    pairs |= {f"standard {name}": pair for name, pair in STATUS_COLOURS.items()}
    pairs |= {f"tone {tone}": pair for tone, pair in TONE_COLOURS.items()}
    pairs["problem"] = (PROBLEM_BACKGROUND, PROBLEM_TEXT)
    low = {name: round(contrast(back, fore), 2) for name, (back, fore) in pairs.items()
           if contrast(back, fore) < AA}
    assert low == {}


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[QPalette]:
    before = QApplication.palette()
    palette = reference_palette(DARK)
    QApplication.setPalette(palette)
    yield palette
    QApplication.setPalette(before)


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
def test_muted_text_meets_aa_on_the_lists_rows(qapp: QApplication,
                                               colours: dict[str, str]) -> None:
    palette = reference_palette(colours)
    muted = muted_text(palette)
    for background in (colours["base"], colours["alternate"]):
        assert contrast(muted, background) >= AA
    assert muted.name() != colours["text"], "quieter than the ordinary text"


def test_a_dropped_case_is_readable_in_a_dark_palette(qtbot: QtBot,
                                                      dark_palette: QPalette) -> None:
    model = WeekTableModel()
    model.set_cases([WeekCase("i1", "c1", "C-1", "AB", "red", "red", "cin", "North",
                              "chosen at random", True, None, None, None,
                              "dropped: other")])
    colour = model.index(0, CHILD).data(Qt.ItemDataRole.ForegroundRole)
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase):
        assert contrast(colour, dark_palette.color(role)) >= AA
    assert contrast("#6b6b6b", DARK["base"]) < AA, "the grey it replaced did not"


def test_a_problem_beside_an_answer_is_readable_in_a_dark_palette(
        qtbot: QtBot, dark_palette: QPalette) -> None:
    """Measured on the drawn label: its background, and the text colour that stands out
    most from it (#b00020 on the window's own dark grey read at 1.7:1)."""
    label = problem_label("Question 1")
    qtbot.addWidget(label)
    label.setText("⚠ Answer this question: it is required")
    label.show()
    qtbot.waitExposed(label)
    image = label.grab().toImage()
    background = QColor(image.pixel(1, 1))
    inks = {QColor(image.pixel(x, y)).name() for x in range(image.width())
            for y in range(image.height())}
    ink = max(inks, key=lambda c: contrast(c, background))
    assert contrast(ink, background) >= AA, (ink, background.name())
    assert background.name() != DARK["window"]  # its own background, not the window's
