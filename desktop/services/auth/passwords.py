"""Password hashes for local accounts: scrypt from the standard library.

Why scrypt and not Argon2: ``hashlib.scrypt`` is memory-hard, in every Python build we
ship (OpenSSL), and needs no compiled dependency in the frozen installer; Argon2 would
add argon2-cffi for the same protection. The hash carries its own parameters
(``scrypt$N$r$p$salt$hash``), so raising the cost later only makes old hashes
``needs_rehash``, never unreadable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from desktop.errors import InputProblem

#: About 50 ms and 16 MiB on a 2020 laptop: slow for a guesser, unnoticed at sign-in.
N, R, P = 2**14, 8, 1
SCHEME = "scrypt"
MIN_LENGTH = 10
MAX_LENGTH = 1024


def _digest(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=64 * 1024 * 1024, dklen=32)


def check_strength(password: str) -> None:
    """Refuse a password too short to resist guessing, in one line (NCSC: length first)."""
    if len(password) < MIN_LENGTH:
        raise InputProblem(f"A password must be at least {MIN_LENGTH} characters long; "
                           "three random words make a good one.")
    if len(password) > MAX_LENGTH:
        raise InputProblem(f"A password may be at most {MAX_LENGTH} characters long.")
    if password != password.strip():
        raise InputProblem("A password may not start or end with a space.")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _digest(password, salt, N, R, P)
    return f"{SCHEME}${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; a damaged or empty hash matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME or len(password) > MAX_LENGTH:
            return False
        expected = bytes.fromhex(digest)
        actual = _digest(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """A hash made with weaker parameters than today's (rehashed at the next sign-in)."""
    return not stored.startswith(f"{SCHEME}${N}${R}${P}$")
