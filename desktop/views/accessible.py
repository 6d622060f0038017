"""Every control has a name and a description a screen reader can read, by construction.

Why one helper instead of ``setAccessibleName`` by hand on each control: the screens
name most controls by hand, but each new control had to remember to, and the ones
that did not (a check box beside a label, a form row added with a ``QLabel`` that Qt
does not make the field's buddy, the clear button of a search field, OK and Cancel)
were read out as "check box" or "push button" and nothing more; and no control had a
description. Here the names and descriptions come from what a sighted person reads
beside the control, when a window or screen is shown and when a control is first
polished (the audit form's questions appear long after its screen was built):

- a form row's label becomes its field's buddy (so its mnemonic works too, and on
  Linux a combo box, whose accessible name is its value, is *labelled by* it);
- a control Qt gives no name (from its text, a buddy label or its group box), one
  from its form row's label, its button text, placeholder or tooltip, a label just
  before it in its row, or its group's title, in that order;
- every control's description: its tooltip as plain text (Qt hands a tooltip's HTML
  to the screen reader as it is), else what the glossary says about the words it is
  named with, else its placeholder or label, else where it is ("In Filters, on the
  Cases screen");
- the glossary's explanations as the tooltips of labels, buttons and group titles
  that show one of its terms, and of column headers and cells (desktop/views/glossary);
- OK, Cancel and the other buttons of a button box get a mnemonic (Alt+letter) not
  taken by another control of their window;
- the first Down (or Up) in a table that has the focus but no selected row selects the
  row it is on, the first one: Qt makes the first row current on focus without
  selecting it, so the first Down went on to the second;
- Tab visits the controls in reading order, the order of the layouts (Qt's is the
  order the widgets were made in, and a control made later went to the end).

Names set here are remembered as derived (a dynamic property), so a later pass
recomputes them when the words they came from change, and never overwrites a name or
description a screen set itself. ``install(app)`` (the main window calls it, as it does
the wheel guard) does all of it for every window of the application; ``describe(root)``
does one window or screen now (the Screen base class calls it when shown).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import TypeGuard

from desktop.qt import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QCoreApplication,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QMenu,
    QObject,
    QPlainTextEdit,
    QProgressBar,
    QSlider,
    Qt,
    QTableView,
    QTextEdit,
    QtGui,
    QTimer,
    QToolButton,
    QtWidgets,
    QWidget,
)
from desktop.views.glossary import explain
from desktop.views.plain import plain_tip

#: Dynamic properties holding what this module set, so that it may set it again.
DERIVED_NAME = "dipsample_derived_name"
DERIVED_DESCRIPTION = "dipsample_derived_description"
DERIVED_TIP = "dipsample_glossary_tip"
#: Set by the Screen base class: the screen's title, for descriptions of where a
#: control is.
SCREEN_TITLE = "dipsample_screen_title"
#: Set on an item view whose keys and tooltips are handled here (installed once).
WATCHED = "dipsample_accessible_view"

#: What a person works with: buttons (check boxes, radio and tool buttons too), text
#: and number fields, lists and tables, sliders, tab bars and progress bars (a screen
#: reader reads a bar's value).
CONTROLS: tuple[type[QWidget], ...] = (
    QtWidgets.QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView,
    QPlainTextEdit, QTextEdit, QSlider, QtWidgets.QTabBar, QProgressBar, QCalendarWidget)
#: Controls made of other controls: their inner parts (a combo box's list, a spin box's
#: line, a table's header) are theirs, named and read through them.
COMPOUND: tuple[type[QWidget], ...] = (
    QComboBox, QAbstractSpinBox, QAbstractItemView, QCalendarWidget, QtWidgets.QTabBar)
#: Labels, buttons and group titles that may show a glossary term.
WORDED: tuple[type[QWidget], ...] = (QLabel, QtWidgets.QAbstractButton, QGroupBox)

log = logging.getLogger(__name__)

_MNEMONIC = re.compile(r"(?<!&)&(?!&)(\w)")


def bare(text: str) -> str:
    """``text`` as read out: no mnemonic ``&``, no trailing colon, one line."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    text = " ".join(text.split())
    return text[:-1].rstrip() if text.endswith(":") else text


def tip_text(tip: str) -> str:
    """A tooltip's words without its markup (a tooltip may be rich text)."""
    if not tip:
        return ""
    if QtGui.Qt.mightBeRichText(tip) or tip.lstrip().startswith("<"):
        tip = QtGui.QTextDocumentFragment.fromHtml(tip).toPlainText()
    return " ".join(tip.split())


def _marked(widget: QWidget, key: str) -> str:
    value = widget.property(key)
    return value if isinstance(value, str) else ""


# -- which widgets are controls ------------------------------------------------------
def part_of_control(widget: QWidget) -> bool:
    """Whether ``widget`` is an inner part of another control (a combo box's list, a
    table's header or corner button, a tab bar's scroll arrows, a search field's clear
    button) or one of Qt's own inner widgets (``qt_`` names).

    A widget a table shows in a cell (in its viewport) is a control of its own. The walk
    goes on past a pop-up (a combo box's list is a window whose parent is the combo box)
    and stops at any other window.
    """
    if widget.objectName().startswith("qt_"):
        return True
    child = widget
    while not (child.isWindow() and child.windowType() != Qt.WindowType.Popup):
        parent = child.parentWidget()
        if parent is None:
            return False
        if isinstance(parent, QAbstractItemView):
            if not parent.viewport().isAncestorOf(widget):
                return True
        elif isinstance(parent, (*COMPOUND, QLineEdit)):
            return True
        child = parent
    return False


def is_control(widget: QWidget) -> bool:
    """Whether a person works ``widget`` as a control of its own (what must be named)."""
    return (isinstance(widget, CONTROLS) and not isinstance(widget, QHeaderView)
            and not part_of_control(widget))


def controls(root: QWidget) -> Iterator[QWidget]:
    """``root`` and every widget under it that is a control."""
    for widget in [root, *root.findChildren(QWidget)]:
        if is_control(widget):
            yield widget


def clear_button_of(widget: QWidget) -> QLineEdit | None:
    """The search field whose clear button ``widget`` is, if it is one."""
    parent = widget.parentWidget()
    if isinstance(widget, QToolButton) and isinstance(parent, QLineEdit):
        return parent
    return None


# -- names ---------------------------------------------------------------------------
def label_of(widget: QWidget) -> QLabel | None:
    """The label whose buddy ``widget`` is (looked for beside it, as Qt does)."""
    parent = widget.parentWidget()
    if parent is None:
        return None
    for child in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.buddy() is widget:
            return child
    return None


def effective_name(widget: QWidget) -> str:
    """The name a screen reader gets for ``widget``.

    Why not only Qt's interface: on Linux a combo box's accessible name is its current
    value and its label comes as a relation, from a buddy label beside it; so a combo
    box counts as named by its own accessible name or by such a label.
    """
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QComboBox):
        label = label_of(widget)
        if label is not None and bare(label.text()):
            return bare(label.text())
        group = widget.parentWidget()
        return bare(group.title()) if isinstance(group, QGroupBox) else ""
    face = QtGui.QAccessible.queryAccessibleInterface(widget)
    return bare(face.text(QtGui.QAccessible.Text.Name)) if face is not None else ""


def first_control(item: QtWidgets.QLayoutItem | None) -> QWidget | None:
    """The first control a form row's field holds (a widget, or a layout of them)."""
    if item is None:
        return None
    widget = item.widget()
    if widget is not None:
        if is_control(widget):
            return widget
        return next(iter(controls(widget)), None)
    layout = item.layout()
    if layout is None:
        return None
    for n in range(layout.count()):
        found = first_control(layout.itemAt(n))
        if found is not None:
            return found
    return None


def buddy_form_labels(root: QWidget) -> None:
    """Each form row's label becomes its field's buddy, unless it has one.

    Why: ``QFormLayout.addRow(label, field)`` with a label made beforehand (as every
    plain label is) does not set the buddy, so the field had no name from it and the
    label's mnemonic did nothing.
    """
    forms = root.findChildren(QFormLayout)
    own = root.layout()
    if isinstance(own, QFormLayout):
        forms.append(own)
    for form in forms:
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = label_item.widget() if label_item is not None else None
            if not isinstance(label, QLabel) or label.buddy() is not None:
                continue
            if "&" in label.text() and not _MNEMONIC.search(label.text()):
                continue  # "Mid & East:": a buddy would take its "&" for a mnemonic
            field = first_control(form.itemAt(row, QFormLayout.ItemRole.FieldRole))
            if field is not None:
                label.setBuddy(field)


def layouts_of(parent: QWidget) -> list[QtWidgets.QLayout]:
    """The layouts that lay out ``parent``'s own children: its layout and those nested
    in it (not the layouts of the widgets inside)."""
    found: list[QtWidgets.QLayout] = []
    todo = [parent.layout()]
    while todo:
        layout = todo.pop()
        if layout is None:
            continue
        found.append(layout)
        items = [layout.itemAt(n) for n in range(layout.count())]
        todo += [item.layout() for item in items if item is not None]
    return found


def _form_label(widget: QWidget) -> str:
    """The text of the form-row label of ``widget`` (a form lays out its parent's
    children, the label and the field both)."""
    parent = widget.parentWidget()
    for layout in layouts_of(parent) if parent is not None else []:
        if isinstance(layout, QFormLayout):
            label = layout.labelForField(widget)
            if isinstance(label, QLabel):
                return bare(label.text())
    return ""


def _label_before(widget: QWidget) -> str:
    """The words of a label just before ``widget`` in its row, with no buddy of its own
    (a row written "Status: [combo]" without setBuddy)."""
    parent = widget.parentWidget()
    for layout in layouts_of(parent) if parent is not None else []:
        if not isinstance(layout, QtWidgets.QBoxLayout):
            continue
        index = layout.indexOf(widget)
        if index > 0:
            before = layout.itemAt(index - 1)
            label = before.widget() if before is not None else None
            if isinstance(label, QLabel) and label.buddy() is None and bare(label.text()):
                return bare(label.text())
    return ""


def _group_title(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QGroupBox) and bare(parent.title()):
            return bare(parent.title())
        parent = parent.parentWidget()
    return ""


def _popup_owner_name(widget: QWidget) -> str:
    """For a control in a popup menu (a date field's calendar): its owner's name."""
    window = widget.window()
    owner = window.parentWidget() if isinstance(window, QMenu) else None
    if owner is None:
        return ""
    for control in controls(owner):
        if control.window() is not window and control.accessibleName():
            return control.accessibleName()
    return ""


def derived_name(widget: QWidget) -> str:
    """A name from what is written beside ``widget`` ("" when nothing is)."""
    field = clear_button_of(widget)
    if field is not None:
        return f"Clear: {effective_name(field) or 'the field'}"
    if isinstance(widget, QCalendarWidget):
        owner = _popup_owner_name(widget)
        return f"Calendar: {owner}" if owner else "Calendar"
    candidates = [_form_label(widget)]
    if isinstance(widget, QtWidgets.QAbstractButton):
        action = widget.defaultAction() if isinstance(widget, QToolButton) else None
        candidates += [widget.text(), action.text() if action is not None else ""]
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        candidates.append(widget.placeholderText())
    if isinstance(widget, QComboBox):
        edit = widget.lineEdit()
        candidates += [widget.placeholderText(), edit.placeholderText() if edit else ""]
    candidates += [tip_text(widget.toolTip()), _label_before(widget), _group_title(widget),
                   widget.whatsThis()]
    return next((bare(c) for c in candidates if c and bare(c)), "")


def name(widget: QWidget) -> None:
    """Give ``widget`` a name if it has none (or only one this module gave it before)."""
    mine = _marked(widget, DERIVED_NAME)
    if mine and widget.accessibleName() == mine:
        widget.setAccessibleName("")  # derived again below, from today's words
    elif widget.accessibleName():
        return
    widget.setProperty(DERIVED_NAME, None)
    if effective_name(widget):
        return  # Qt names it from its text, a buddy label or its group box
    found = derived_name(widget)
    if found:
        widget.setAccessibleName(found)
        widget.setProperty(DERIVED_NAME, found)


# -- descriptions ----------------------------------------------------------------------
def where(widget: QWidget) -> str:
    """Where ``widget`` is, in words: its group and its screen or window."""
    group = _group_title(widget)
    place = ""
    parent: QWidget | None = widget
    while parent is not None:
        title = parent.property(SCREEN_TITLE)
        if isinstance(title, str) and title:
            place = f"on the {bare(title)} screen"
            break
        if parent.isWindow():
            title = bare(parent.windowTitle())
            if isinstance(parent, QMenu):
                owner = _popup_owner_name(widget)
                place = f"in the pop-up of {owner}" if owner else "in a pop-up"
            elif title:
                place = f"in the window {title}"
            break
        parent = parent.parentWidget()
    text = ", ".join(p for p in (f"in {group}" if group else "", place) if p)
    return text[:1].upper() + text[1:] + "." if text else ""


def derived_description(widget: QWidget) -> str:
    """What to say after ``widget``'s name: see the module docstring's order."""
    tip = tip_text(widget.toolTip())
    if tip:
        return tip
    called = effective_name(widget)
    label = label_of(widget)
    meaning = explain(" ".join([called, bare(label.text()) if label else ""]))
    if meaning:
        return meaning
    hints: list[str] = []
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        hints.append(widget.placeholderText())
    hints.append(_form_label(widget))
    for hint in hints:
        hint = bare(hint)
        if hint and hint.casefold() not in called.casefold():
            return hint
    return where(widget)


def describe_control(widget: QWidget) -> None:
    """Give ``widget`` a description if it has none of its own (see the module)."""
    mine = _marked(widget, DERIVED_DESCRIPTION)
    if widget.accessibleDescription() and widget.accessibleDescription() != mine:
        return
    found = derived_description(widget)
    if found != widget.accessibleDescription():
        widget.setAccessibleDescription(found)
    widget.setProperty(DERIVED_DESCRIPTION, found or None)


# -- glossary tooltips ------------------------------------------------------------------
def words_of(widget: QWidget) -> str:
    if isinstance(widget, QLabel):
        return widget.text()
    if isinstance(widget, QGroupBox):
        return widget.title()
    if isinstance(widget, QtWidgets.QAbstractButton):
        return widget.text()
    return ""


def glossary_tip(widget: QWidget) -> None:
    """The glossary's words as the tooltip of a label, button or group title showing one
    of its terms (never over a tooltip the screen set)."""
    mine = _marked(widget, DERIVED_TIP)
    if widget.toolTip() and widget.toolTip() != mine:
        return
    if isinstance(widget, QLabel) and widget.textFormat() == Qt.TextFormat.RichText:
        return  # our own markup (About, the form's heading): its words are ours
    tip = plain_tip(explain(words_of(widget)))
    if tip != widget.toolTip():
        widget.setToolTip(tip)
    widget.setProperty(DERIVED_TIP, tip or None)


# -- mnemonics ----------------------------------------------------------------------------
def taken_letters(window: QWidget) -> set[str]:
    """The mnemonic letters in use in ``window`` (buttons, labels, group titles, tabs)."""
    texts = [words_of(w) for w in window.findChildren(QWidget) if isinstance(w, WORDED)]
    for bar in window.findChildren(QtWidgets.QTabBar):
        texts += [bar.tabText(n) for n in range(bar.count())]
    return {m.group(1).casefold() for t in texts for m in _MNEMONIC.finditer(t)}


def with_mnemonic(text: str, taken: set[str]) -> str:
    """``text`` with an ``&`` before the first letter not ``taken``, word starts first
    ("OK" -> "&OK", "Cancel" -> "&Cancel", or "C&ancel" when C is taken)."""
    starts = [i for i, c in enumerate(text)
              if c.isalnum() and (i == 0 or not text[i - 1].isalnum())]
    rest = [i for i, c in enumerate(text) if c.isalnum() and i not in starts]
    for i in starts + rest:
        if text[i].casefold() not in taken:
            taken.add(text[i].casefold())
            return text[:i] + "&" + text[i:]
    return text


def mnemonics(box: QDialogButtonBox) -> None:
    """Every button of ``box`` gets a mnemonic of its own, if it has none."""
    taken = taken_letters(box.window())
    for button in box.buttons():
        text = button.text()
        if text and not _MNEMONIC.search(text):
            button.setText(with_mnemonic(text, taken))


# -- the first key in a table -----------------------------------------------------------
def select_first(view: QAbstractItemView, event: QKeyEvent) -> bool:
    """Down or Up in ``view`` with nothing selected selects the current row (the first,
    where Qt put the cursor on focus) instead of moving past it; whether it did."""
    if (event.key() not in (Qt.Key.Key_Down, Qt.Key.Key_Up)
            or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            or view.selectionMode() == QAbstractItemView.SelectionMode.NoSelection):
        return False
    selection, model = view.selectionModel(), view.model()
    if selection is None or model is None or selection.hasSelection():
        return False
    root = view.rootIndex()
    if model.rowCount(root) == 0:
        return False
    target = view.currentIndex()
    if not target.isValid():
        column = 0
        if isinstance(view, QTableView):
            column = next((c for c in range(model.columnCount(root))
                           if not view.isColumnHidden(c)), 0)
        target = model.index(0, column, root)
    view.setCurrentIndex(target)
    view.scrollTo(target)
    return True


# -- tooltips of headers and cells --------------------------------------------------------
def cell_tip(view: QAbstractItemView, pos: object) -> str:
    """The tooltip a view's header section or cell at ``pos`` shows, the glossary's words
    added ("" when it has no term: the view's own tooltip then, as ever)."""
    if isinstance(view, QHeaderView):
        model = view.model()
        section = view.logicalIndexAt(pos)  # type: ignore[call-overload]
        if model is None or section < 0:
            return ""
        shown = model.headerData(section, view.orientation(), Qt.ItemDataRole.DisplayRole)
        own = model.headerData(section, view.orientation(), Qt.ItemDataRole.ToolTipRole)
    else:
        index = view.indexAt(pos)  # type: ignore[arg-type]
        if not index.isValid():
            return ""
        shown = index.data(Qt.ItemDataRole.DisplayRole)
        own = index.data(Qt.ItemDataRole.ToolTipRole)
    meaning = explain(str(shown or ""))
    if not meaning:
        return ""
    before = str(own or "")
    if before and not before.lstrip().startswith("<"):
        before = plain_tip(before)
    return before + plain_tip(meaning)


class Accessible(QObject):
    """The application's event filter: names and descriptions as windows are shown and
    as controls are polished; the first key and the tooltips of item views.

    Why a polished control is done on the next turn of the event loop, with everything
    else of its screen or window: Qt polishes some controls while they are still being
    made (a button box polishes its OK button inside its own constructor), and touching
    one then found it deleted under our feet; and a whole screen's worth of polish
    events is then one pass, not one per control.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[tuple[QWidget, int]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Why every failure is caught: this filter sees every event of the application,
        and a mistake in naming a control must never take the window down (an exception
        raised in an event filter can end the process); it is logged instead."""
        try:
            return self._filter(watched, event)
        except Exception:
            log.exception("naming a control for screen readers failed")
            return False

    def _filter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, QWidget):
            if not self._pending:
                QTimer.singleShot(0, self, self.flush)
            self._pending.append((watched, _passes))
        elif kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            describe(watched)
        elif kind == QEvent.Type.KeyPress and isinstance(watched, QAbstractItemView):
            if watched.property(WATCHED) and isinstance(event, QKeyEvent):
                return select_first(watched, event)
        elif kind == QEvent.Type.ToolTip and isinstance(watched, QWidget):
            view = watched.parentWidget()
            if isinstance(view, QAbstractItemView) and view.property(WATCHED):
                assert isinstance(event, QtGui.QHelpEvent)
                tip = cell_tip(view, event.pos())
                if tip:
                    QtWidgets.QToolTip.showText(event.globalPos(), tip, watched)
                    return True
        return False

    def flush(self) -> None:
        """The screens and windows of the controls polished since the last turn, each
        described once (unless it was described since, as a shown screen is)."""
        pending, self._pending = self._pending, []
        roots: dict[int, tuple[QWidget, int]] = {}
        for widget, queued in pending:
            try:
                root = root_of(widget)
            except RuntimeError:  # deleted before its turn came
                continue
            roots.setdefault(id(root), (root, queued))
        for root, queued in roots.values():
            try:
                stamp = root.property(DESCRIBED)
                if not isinstance(stamp, int) or stamp <= queued:
                    describe(root)
            except RuntimeError:
                continue
            except Exception:
                log.exception("naming the controls of a window for screen readers failed")


#: How many passes :func:`describe` has made (a root remembers the number of its last).
_passes = 0
#: The dynamic property holding that number.
DESCRIBED = "dipsample_described"


def root_of(widget: QWidget) -> QWidget:
    """The screen or window ``widget`` belongs to (what :func:`describe` walks)."""
    found = widget
    while not found.property(SCREEN_TITLE) and not found.isWindow():
        parent = found.parentWidget()
        if parent is None:
            break
        found = parent
    return found


def is_view(widget: QWidget) -> TypeGuard[QAbstractItemView]:
    """A list, table or tree of its own (not a header, not a combo box's list)."""
    return (isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView)
            and not part_of_control(widget))


def watch_view(view: QAbstractItemView) -> None:
    """Mark ``view`` (and its headers) for the filter's key and tooltip handling."""
    view.setProperty(WATCHED, True)
    if isinstance(view, QTableView):
        for header in (view.horizontalHeader(), view.verticalHeader()):
            header.setProperty(WATCHED, True)
    elif isinstance(view, QtWidgets.QTreeView):
        view.header().setProperty(WATCHED, True)


def own_widgets(root: QWidget) -> list[QWidget]:
    """``root`` and the widgets under it, but not those of another screen inside it:
    each screen names its own when it is shown (the main window holds twelve, and
    walking them all each time it is shown took a third of a second)."""
    found = [root]
    todo = [root]
    while todo:
        for child in todo.pop().children():
            if isinstance(child, QWidget) and not child.property(SCREEN_TITLE):
                found.append(child)
                todo.append(child)
    return found


def describe(root: QWidget) -> None:
    """Every control under ``root`` named and described, form labels made buddies,
    glossary tooltips set, button boxes given mnemonics: the whole pass, for a screen
    or window being shown."""
    global _passes
    _passes += 1
    root.setProperty(DESCRIBED, _passes)
    buddy_form_labels(root)
    widgets = own_widgets(root)
    for widget in widgets:
        if isinstance(widget, QDialogButtonBox):
            mnemonics(widget)
        if isinstance(widget, WORDED):
            glossary_tip(widget)
        if is_view(widget):
            watch_view(widget)
    for widget in widgets:
        if is_control(widget) or clear_button_of(widget) is not None:
            name(widget)
            describe_control(widget)
    # A screen's order is set within its window's: the navigation, the screen, the bar.
    follow_reading_order(root.window() if root.property(SCREEN_TITLE) else root)


# -- focus order -----------------------------------------------------------------------
def tabbable(widget: QWidget) -> bool:
    """Whether Tab can reach ``widget`` now (shown, enabled, taking focus by Tab)."""
    policy = widget.focusPolicy()
    return ((policy & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus
            and widget.isVisible() and widget.isEnabled())


def reading_order(root: QWidget, *, now: bool = True) -> list[QWidget]:
    """The controls under ``root`` in the order a person reads them: the order of the
    layouts (a grid by rows, a form by rows, label before field), a splitter's or tab
    widget's panes in turn, a scroll area's page; of the screens inside it (the main
    window's), the one showing. ``now``: only those Tab can reach now (else every one
    that takes focus by Tab)."""
    found: list[QWidget] = []
    seen: set[int] = set()

    def widget(w: QWidget | None) -> None:
        if w is None or id(w) in seen:
            return
        if w is not root and w.property(SCREEN_TITLE) and not w.isVisibleTo(root):
            return  # a screen not showing: its order is set when it is shown
        seen.add(id(w))
        if w is not root and is_control(w):
            found.append(w)
            if isinstance(w, COMPOUND):
                return
        if isinstance(w, QtWidgets.QScrollArea):
            widget(w.widget())
        elif isinstance(w, QtWidgets.QSplitter | QtWidgets.QStackedWidget):
            for n in range(w.count()):
                widget(w.widget(n))
        elif isinstance(w, QtWidgets.QTabWidget):
            widget(w.tabBar())
            for n in range(w.count()):
                widget(w.widget(n))
        own = w.layout()
        if own is not None:
            layout(own)
        for child in w.children():  # what no layout holds, in the order it was made
            if isinstance(child, QWidget) and not child.isWindow():
                widget(child)

    def layout(lay: QtWidgets.QLayout) -> None:
        items: list[QtWidgets.QLayoutItem | None]
        if isinstance(lay, QtWidgets.QGridLayout):
            places: list[tuple[int, int, int]] = []
            for n in range(lay.count()):
                position: tuple[int, int, int, int] = lay.getItemPosition(n)  # type: ignore[assignment]
                places.append((position[0], position[1], n))
            items = [lay.itemAt(n) for _row, _column, n in sorted(places)]
        elif isinstance(lay, QFormLayout):
            roles = (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole,
                     QFormLayout.ItemRole.SpanningRole)
            items = [lay.itemAt(row, role) for row in range(lay.rowCount()) for role in roles]
        else:
            items = [lay.itemAt(n) for n in range(lay.count())]
        for item in items:
            if item is None:
                continue
            inner = item.layout()
            if item.widget() is not None:
                widget(item.widget())
            # isinstance, not 'is not None': a layout item is no QObject, so PySide may
            # hand back the stale wrapper of a deleted QSpacerItem that had the same
            # address (seen with the screens built after the window showed: 13 errors).
            elif isinstance(inner, QtWidgets.QLayout):
                layout(inner)

    widget(root)
    if now:
        return [w for w in found if tabbable(w)]
    return [w for w in found
            if (w.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus]


def follow_reading_order(root: QWidget) -> None:
    """Tab visits the controls under ``root`` in reading order.

    Why needed: Qt's Tab order is the order widgets were made, and a control made later
    goes to the end: the audit form's questions, made when an audit opens, came after
    the buttons below the form, so Tab jumped from the list of audits to the bottom of
    the screen and only then into the questions.
    """
    window = root.window()
    order = [w for w in reading_order(root, now=False) if w.window() is window]
    for first, second in pairwise(order):
        QWidget.setTabOrder(first, second)


def tab_chain(root: QWidget) -> list[QWidget]:
    """The controls under ``root`` in the order Tab visits them."""
    found: list[QWidget] = []
    here = root.nextInFocusChain()
    for _step in range(20_000):  # the chain is a ring; a bound in case it is not
        if here is None or here is root:
            break
        if root.isAncestorOf(here) and is_control(here) and tabbable(here):
            found.append(here)
        here = here.nextInFocusChain()
    return found


def out_of_order(root: QWidget) -> list[tuple[str, str]]:
    """Where Tab leaves the reading order under ``root``: (read here, Tab goes to)."""
    read, tabbed = reading_order(root), tab_chain(root)
    both = {id(w) for w in read} & {id(w) for w in tabbed}
    read = [w for w in read if id(w) in both]
    tabbed = [w for w in tabbed if id(w) in both]
    return [(effective_name(a), effective_name(b)) for a, b in zip(read, tabbed, strict=True)
            if a is not b]


def unnamed(root: QWidget) -> list[QWidget]:
    """The controls under ``root`` without a name or a description (what the tests and
    the self-check look for)."""
    return [w for w in controls(root) if not effective_name(w) or not description(w)]


def description(widget: QWidget) -> str:
    """The description a screen reader gets for ``widget``."""
    face = QtGui.QAccessible.queryAccessibleInterface(widget)
    return face.text(QtGui.QAccessible.Text.Description) if face is not None else ""


def install(app: QCoreApplication) -> Accessible:
    """The application's helper, installed once; windows already shown are done now."""
    found = app.findChild(Accessible)
    if isinstance(found, Accessible):
        return found
    helper = Accessible(app)
    app.installEventFilter(helper)
    for window in QApplication.topLevelWidgets():
        if window.isVisible():
            describe(window)
    return helper
