"""A whole day's work in one real process, logging to its own DIPSAMPLE_HOME: a staff
list and a caseload imported, a week drawn, an audit written and submitted, its case
tool printed, an export, a refused import, and a bug logged with a child's name in its
message. The log-scan test then reads every file the run left in the home folder.

Usage: python -m tests.unit.security.workflow_child DB WORKDIR
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sqlalchemy import select

#: Free text typed into the audit, looked for in the logs afterwards.
OVERVIEW = "Quorbleth noted the bedroom was cold"
SECRET_IN_BUG = "Testchild Ashby born 14/03/2015"


def main() -> None:
    db, work = sys.argv[1], Path(sys.argv[2])
    from desktop.cli.main import main as cli
    from desktop.logs import setup_logging
    from tests.data import council_exports as council
    from tests.unit.services.people.test_staff import STAFF, WEEK, caseload_rows

    setup_logging()
    caseload = council.write_csv(work / "caseload.csv", "cp1252",
                                 council.ROWS + caseload_rows(10))
    bad = work / "bad.csv"
    bad.write_text("Child Ref,First Name\nWS-9,Testchild Badrow\n", encoding="utf-8")
    steps = [
        ["import", str(caseload), "--profile", str(council.PROFILE)],  # makes the store
        ["users", "import", str(STAFF)],
        ["import", str(bad), "--profile", str(council.PROFILE)],
        ["sample", "--area", "north", "--week", WEEK],
    ]
    for argv in steps:
        print("step", argv[0], cli([*argv, "--db", db]), flush=True)

    from desktop.models import Case, User, UserServiceArea
    from desktop.services.audits import lifecycle
    from desktop.services.context import ServiceContext
    from desktop.store import open_store

    store = open_store(Path(db), prompt=None)
    try:
        with store.read() as session:
            auditor = session.scalar(select(User.id).where(User.roles.contains("auditor"))
                                     .order_by(User.username))
            areas = select(UserServiceArea.service_area_id).where(
                UserServiceArea.user_id == auditor)
            case_id = session.scalar(select(Case.id).where(Case.service_area_id.in_(areas))
                                     .order_by(Case.case_ref))
        ctx = ServiceContext(store=store, user_id=auditor)
        audit_id = lifecycle.start_audit(ctx, case_id, "risk_assessment_rag")
        for code, value in {"ra_in_place": "met", "ra_quality": "met",
                            "ra_response_proportionate": "met", "vtt_completed": "met",
                            "rag_agrees": "yes"}.items():
            lifecycle.save_answer(ctx, audit_id, code, value)
        with store.read() as session:
            rag = session.get(Case, case_id).rag  # type: ignore[union-attr]
        lifecycle.save_details(ctx, audit_id, overview=OVERVIEW, grade="good",
                               auditor_rag=rag)
        lifecycle.submit(ctx, audit_id)
    finally:
        store.close()
    print("step report", cli(["report", "case-tool", audit_id, "-o",
                              str(work / "tool.pdf"), "--db", db]), flush=True)
    print("step export", cli(["export", "--format", "csv", "--what", "answers", "-o",
                              str(work / "answers.csv"), "--db", db]), flush=True)
    try:
        raise ValueError(SECRET_IN_BUG)
    except ValueError:
        logging.getLogger("desktop.test").exception("a bug while handling a case")
    print("done", flush=True)


if __name__ == "__main__":
    main()
