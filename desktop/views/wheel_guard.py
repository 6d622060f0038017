"""The mouse wheel scrolls the page; it never changes a value.

Why: Qt gives the wheel to the combo box, spin box, date field or slider under the
pointer, so a person scrolling down the audit form changed answers they never meant to
touch (Q4 from Met to Not applicable, the agreed rating to Amber), and autosave wrote
them. An earlier guard let a control with the keyboard focus keep the wheel, taking a
focused field for one being edited; but opening an audit focuses Q1, and a click on an
answer leaves the focus there, so one notch over either still rewrote a saved answer
(a tester's trial, defect 1). Here, for the whole application, no such control takes
the wheel, focused or not: the wheel scrolls the nearest scroll area around it instead,
as it would over a label. Keyboard and mouse clicks change values as before, and an
open drop-down list (a list view, not guarded) still scrolls its items. Each such
control also gets ``Qt.StrongFocus`` in place of Qt's ``WheelFocus``, so that the wheel
passing over it does not give it the focus either.

Why forwarded rather than only ignored: returning True from an event filter would
swallow the wheel, and Qt passes an ignored wheel event on to the parent only for
events from the window system, not for events sent by code (tests, accessibility
tools). Sending a copy to the scroll area's viewport scrolls the page in both cases;
the original is then accepted if a scroll area took it, else left ignored for Qt to
pass on as it would any unwanted wheel.

Install it once, before any window is built: ``install(app)`` (``app.py`` does; the
main window does too, for windows built without ``app.py``).
"""

from __future__ import annotations

from desktop.qt import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QCoreApplication,
    QEvent,
    QObject,
    QSlider,
    Qt,
    QWheelEvent,
    QWidget,
)

#: The controls whose value the wheel changes (QAbstractSpinBox covers spin boxes of
#: integers and decimals, and date, time and date-time fields). Scroll bars are sliders
#: too, but not QSliders: they keep the wheel.
GUARDED = (QComboBox, QAbstractSpinBox, QSlider)


def strong_focus(widget: QWidget) -> None:
    """Focus by click and Tab only, never by the wheel passing over."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def scroll_instead(widget: QWidget, event: QWheelEvent) -> bool:
    """Give ``event`` to the scroll areas around ``widget``, innermost first, until one
    scrolls; whether one did."""
    where = event.globalPosition()
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            viewport = parent.viewport()
            if viewport is not None and viewport.isAncestorOf(widget):
                copy = QWheelEvent(viewport.mapFromGlobal(where), where, event.pixelDelta(),
                                   event.angleDelta(), event.buttons(), event.modifiers(),
                                   event.phase(), event.inverted(), event.source())
                copy.setAccepted(False)
                QApplication.sendEvent(viewport, copy)
                if copy.isAccepted():
                    return True
        if parent.isWindow():
            return False
        parent = parent.parentWidget()
    return False


class WheelGuard(QObject):
    """The application's event filter keeping the wheel off every value control."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(watched, GUARDED):
                assert isinstance(event, QWheelEvent)
                strong_focus(watched)
                event.setAccepted(scroll_instead(watched, event))
                return True  # the control's own wheelEvent never sees it
        elif kind == QEvent.Type.Polish and isinstance(watched, GUARDED):
            strong_focus(watched)
        return False


def install(app: QCoreApplication) -> WheelGuard:
    """The application's guard, installed once; the controls that exist already get
    their focus policy now (the rest as Qt polishes them, before they are shown)."""
    found = app.findChild(WheelGuard)
    if isinstance(found, WheelGuard):
        return found
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    for widget in QApplication.allWidgets():
        if isinstance(widget, GUARDED):
            strong_focus(widget)
    return guard
