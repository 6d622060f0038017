"""The window's fixtures (a demo county store, private QSettings) for the lock's tests."""

from tests.unit.views.conftest import county_path, private_settings

__all__ = ["county_path", "private_settings"]
