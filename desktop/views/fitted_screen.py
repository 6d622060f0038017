"""A screen whose tables fit their columns to their width (:class:`ColumnFit`).

Why a base of its own: the screen saves each table's header with its layout; a header
restored alone holds widths fitted to the last session's window. Whether those widths
are the person's own (they dragged a column) is kept beside it, for every fitted table
under the screen, so that fitted widths are fitted again and the person's are kept.
"""

from __future__ import annotations

from desktop.qt import QSettings
from desktop.views.fit_columns import restore_fits, save_fits
from desktop.views.screen import Screen


class FittedScreen(Screen):
    """A :class:`Screen` remembering whose widths its fitted tables hold."""

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        save_fits(self, settings, self.key)

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        restore_fits(self, settings, self.key)
