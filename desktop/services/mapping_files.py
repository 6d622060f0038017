"""Reading a JSON mapping file that a user may have edited by hand.

Why shared: the caseload import (``--profile``), the historical-audit import and the
improvement-plan import all take a mapping file, and a broken one must be refused the
same way by each: one line, exit code 2. A mapping that cannot be used is a usage
problem (the wrong file was given, or it was edited badly), not bad rows in the export.

Why a size limit and a depth guard: a mapping is a few kilobytes of JSON. A huge file
would be read whole, and deeply nested brackets make Python's JSON parser recurse until
it fails with RecursionError, which is not a message a person can act on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.errors import UserError

#: Bytes a mapping file may have; the shipped ones are under 3 KB.
MAX_MAPPING_BYTES = 1_000_000


class MappingProblem(UserError):
    """A mapping file that cannot be used: missing, unreadable, not JSON or malformed.

    Exit code 2: it is a usage problem, not bad rows in the export.
    """

    exit_code = 2


def read_mapping_json(path: Path, origin: str | None = None,
                      problem: type[MappingProblem] = MappingProblem) -> Any:
    """The parsed JSON of ``path``, a UTF-8 file with or without a byte-order mark.

    Args:
        origin: how messages name the file (default: its name, never its folder).
        problem: the exception to raise, a :class:`MappingProblem` subclass.

    Raises:
        MappingProblem: (or ``problem``) the file is missing, unreadable, too big, not
            UTF-8, not JSON, or nested too deeply.
    """
    where = f"mapping file {origin or Path(path).name}"
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MAPPING_BYTES + 1)
    except FileNotFoundError:
        raise problem(f"{where}: no such file") from None
    except OSError as exc:
        raise problem(f"{where}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_MAPPING_BYTES:
        raise problem(f"{where}: larger than {MAX_MAPPING_BYTES:,} bytes; a mapping is "
                      "a few kilobytes of JSON")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise problem(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise problem(f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                      f"{exc.msg})") from None
    except RecursionError:
        raise problem(f"{where}: not a mapping (its brackets are nested too deeply)") from None


def read_mapping_object(path: Path) -> tuple[dict[str, Any], str]:
    """A mapping file's JSON object and the phrase that names it in messages.

    Raises:
        MappingProblem: the file is missing, not JSON, or not a JSON object.
    """
    where = f"mapping file {path.name}"
    data = read_mapping_json(path)
    if not isinstance(data, dict):
        raise MappingProblem(f"{where}: a mapping is a JSON object")
    return data, where


def mapping_texts(data: dict[str, Any], key: str, where: str,
                  default: dict[str, str] | None = None) -> dict[str, str]:
    """``data[key]`` as an object of text to non-empty text (``default`` when absent).

    Raises:
        MappingProblem: it is something else, named by ``key``.
    """
    value = data.get(key, {} if default is None else default)
    if not isinstance(value, dict) or not all(
            isinstance(v, str) and v.strip() for v in value.values()):
        raise MappingProblem(f"{where}: '{key}' must be an object whose values are "
                             "non-empty texts")
    return value
