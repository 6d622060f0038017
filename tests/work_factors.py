"""The scrypt costs the tests run with: the app's own code, at a sixteenth of its cost.

Why: scrypt at the app's costs was a tenth of the suite's processor time (26 s of
about 330 s, measured with py-spy): a passphrase store's key derived again in every
child process that opens it, a password checked at every command-line sign-in of the
who-sees-what tests. Both costs are written beside what they protect (a store's
``.kdf`` file names its ``n``; a password hash is ``scrypt$N$r$p$salt$hash``) and read
back from there, so what the tests exercise is the same code: only the work factor
differs, as Django's own test settings swap in a cheap password hasher. Stores and
hashes made at the app's cost (the upgrade fixtures in tests/data, a child started with
DIPSAMPLE_TEST_EXEC=1) still open and verify at their own cost.

The app's costs are kept in ``APP_STORE_N`` and ``APP_PASSWORD_N``;
tests/unit/test_work_factors.py proves that the program itself, started as people start
it, still uses them.
"""

from __future__ import annotations

from desktop.services.auth import passwords
from desktop.store import keys

APP_STORE_N = keys.SCRYPT_N
APP_PASSWORD_N = passwords.N
#: 2**11: not 2**10, which test_signin_password uses as a cost below today's.
TEST_N = 2**11


def lower() -> None:
    """Set the test cost in this process (conftest, and the fork server before it forks)."""
    keys.SCRYPT_N = TEST_N
    passwords.N = TEST_N
