"""Reading a JSON mapping file that a user may have edited by hand.

Why shared: the historical-audit and improvement-plan imports both take a mapping
file, and a broken one must be refused with the same one-line message either way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from desktop.errors import InputProblem


def read_mapping_json(path: Path) -> Any:
    """The parsed JSON of ``path``; an unreadable or invalid file is an InputProblem."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputProblem(f"{path.name}: cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputProblem(f"{path.name}: not a JSON mapping ({exc})") from None
