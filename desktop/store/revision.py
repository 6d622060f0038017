"""Developer tool: write a new Alembic revision by comparing the models to head.

Usage: ``python -m desktop.store.revision 0002 "add moderation columns"``. It builds
a scratch (unencrypted, in-memory) database at head and autogenerates the difference;
review the script before committing it.
"""

from __future__ import annotations

import sys

from alembic import command
from sqlalchemy import create_engine

from desktop.store.migrate import alembic_config, known_revisions


def main(argv: list[str]) -> int:
    rev_id, message = argv[0], argv[1]
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        if known_revisions():
            command.upgrade(alembic_config(conn), "head")
        command.revision(alembic_config(conn), message=message, autogenerate=True, rev_id=rev_id)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
