"""A splitter whose two sides keep their shares of the width as the window is resized.

Why: Qt's splitter gives a wider window's extra pixels by rules of its own (in practice
nearly all to one side), so a screen laid out for a 1024-pixel window left a list a
third of a 1920 one, or a detail cut off in a 1024 one. Here the second side keeps its
share of the width; the person moving the divider sets a new share, and a divider the
window remembered from the last session is read as one.
"""

from __future__ import annotations

from desktop.qt import QSplitter, Qt, QtGui, QWidget


class ShareSplitter(QSplitter):
    """A horizontal splitter keeping its second widget at ``share`` of the width.

    The screen calls :meth:`read` after restoring the remembered divider. A first
    widget hidden or dragged shut is left so (the second then has the whole width);
    its share comes back with it (:meth:`apply` with ``reopen``).
    """

    def __init__(self, share: float, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.share = share
        self._applying = False
        self.splitterMoved.connect(lambda _pos, _index: self.read())

    def read(self) -> None:
        """The share the divider shows now (the person moved it, or it was restored)."""
        sizes = self.sizes()
        if not self._applying and len(sizes) == 2 and sum(sizes) > 0 and sizes[0] > 0:
            self.share = sizes[1] / sum(sizes)

    def apply(self, *, reopen: bool = False) -> None:
        """Both sides at their shares; a first side dragged shut stays shut unless
        ``reopen`` (the person asked for it back)."""
        sizes = self.sizes()
        first = self.widget(0)
        if (len(sizes) != 2 or sum(sizes) <= 0 or first is None or first.isHidden()
                or (sizes[0] == 0 and not reopen)):
            return
        second = round(sum(sizes) * self.share)
        self._applying = True
        try:
            self.setSizes([sum(sizes) - second, second])
        finally:
            self._applying = False

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)  # Qt's own share-out first, then ours over it
        self.apply()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self.apply()
