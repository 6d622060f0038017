"""Invented names for the demo county, built from syllables.

Why syllables and not name lists: a list of real first names and surnames, combined,
produces real people's names; the demo is shown to councils and must never look like
anyone's record. Every name here is two or three made-up syllables, so it reads as a
name but belongs to nobody.
"""

from __future__ import annotations

import random
import uuid

_FIRST_START = ("Ka", "Li", "Mo", "Ta", "Re", "Sa", "Ne", "Vo", "Da", "Fe", "Jo", "Lu",
                "Mi", "Ro", "Se", "Te", "Za", "Bri", "Cae", "Ela", "Fio", "Isa", "Oru",
                "Pel", "Quin", "Ysa", "Ar", "Bel", "Cor", "Dov")
_FIRST_END = ("ren", "lia", "vin", "sa", "ro", "nel", "wyn", "dra", "mo", "lis", "tan",
              "rie", "bel", "dan", "ria", "ko", "nia", "vel", "lo", "th")
_LAST_START = ("Ald", "Brack", "Cors", "Dun", "Elm", "Fenn", "Gral", "Hask", "Ivel", "Jarr",
               "Kest", "Lorm", "Marr", "Nesh", "Orl", "Pell", "Quarn", "Rusk", "Sarn",
               "Tarl", "Umb", "Vell", "Wrask", "Yarl", "Zell")
_LAST_END = ("ow", "ington", "wick", "ard", "ley", "more", "stead", "ett", "by", "ham",
             "lin", "ock", "ridge", "well", "ton", "den")


def new_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng``, so the same seed gives the same ids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _one(rng: random.Random, options: tuple[str, ...]) -> str:
    """``rng.choice`` for a short tuple, from one ``random()`` (a fifth of its cost)."""
    return options[int(rng.random() * len(options))]


def forename(rng: random.Random) -> str:
    return _one(rng, _FIRST_START) + _one(rng, _FIRST_END)


def surname(rng: random.Random) -> str:
    return _one(rng, _LAST_START) + _one(rng, _LAST_END)


def full_name(rng: random.Random) -> str:
    return f"{forename(rng)} {surname(rng)}"


def username(name: str, taken: set[str]) -> str:
    """``first.last`` in lower case, numbered when already taken."""
    first, _, last = name.lower().partition(" ")
    base = f"{first}.{last}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate
