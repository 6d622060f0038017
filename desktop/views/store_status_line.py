"""What the window says about its store: whether it holds cases, the last caseload
import, and for an empty store the demo county.

Why apart: the status is read again after every write that touches cases or people
(an import, a sync, the demo county), and an empty store is where a person trying
DipSample meets the demo county, so the two live together, away from the window's frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from desktop.services.store_status import StoreStatus, store_status

if TYPE_CHECKING:
    from desktop.views.window import MainWindow

LONDON = ZoneInfo("Europe/London")
#: What a new, empty store says (the status bar and the Cases screen).
EMPTY_STORE = ("This database is empty: import a caseload export (Import, on the left), or "
               "build the demo county to try DipSample (File > Build the demo county).")
#: The demo county built from the window: big enough to show every screen, quick to build.
DEMO_CASES = 6_000


class StoreStatusLine:
    """Read the open store's status and show it in the window's status bar.

    Attributes:
        status: the status last read, None before.
    """

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.status: StoreStatus | None = None

    def read(self) -> None:
        """The store's status read again (a failure is the window's failed read)."""
        window = self.window
        if window.store is None:
            return
        (window.call("Reading the store's status", store_status, dialog=False)
         .success(self._known)
         .failure(window.read_failed)
         .run())

    def _known(self, status: StoreStatus) -> None:
        window = self.window
        self.status = status
        window.demo_action.setEnabled(not status.has_cases)
        if not status.has_cases:
            window.say(EMPTY_STORE)
        window.last_import.setText(status.cases_text(LONDON))  # the demo, a sync, an import
        window.status_read.emit(status)

    def build_demo(self) -> None:
        """File > Build the demo county: synthetic people and cases in an empty store.

        Why in the window: a person trying DipSample, or a trainer, should not need the
        command line. The service refuses a store that holds cases, so a council's data
        is never mixed with made-up cases; Cancel leaves the store empty.
        """
        from desktop.services.demo_county import build_demo_county

        window = self.window
        today = window.clock().astimezone(LONDON).date()

        def done(_summary: object) -> None:
            window.statusBar().showMessage(f"Built the demo county: {DEMO_CASES:,} "
                                           "synthetic cases. Sign in again to act as one "
                                           "of its people.", 10_000)
            window.say("")
            if window.asks_sign_in and window.user is None and window.store is not None:
                window.person_flow.ask_who()  # the county's people can sign in now

        (window.call("Building the demo county",
                     lambda ctx: build_demo_county(ctx, cases=DEMO_CASES, as_of=today))
         .success(done)
         .run())
