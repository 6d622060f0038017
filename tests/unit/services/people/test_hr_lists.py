"""A staff list as an HR system writes it (issue 25, tester's item 19): its own headers,
council job titles, a column the import does not use named, and the roles of a Roles
cell and a job title added together."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.errors import InputProblem
from desktop.models import User, Worker
from desktop.services.people.staff import import_staff, list_users
from tests.unit.services.caseload.helpers import fixed_ctx

HR_LIST = """\
Employee Name,Network Login,Employee No.,Job Title,Roles,Team,Locality,Email,Phone
Testperson Amberfield,am-north,E100,Area Manager (North),,,North,a@example.invalid,0100
Testperson Birchall,ad-all,E101,Assistant Director,,,all,b@example.invalid,0101
Testperson Corrin,qa-pl,E102,Practice Lead,QA Officer,,North,c@example.invalid,0102
Testperson Dawlish,iro-1,E103,Independent Reviewing Officer,,,South,d@example.invalid,0103
Testworker Ellery,sp-1,E104,Senior Practitioner,,North Safeguarding,North,e@example.invalid,
"""


def test_an_hr_list_imports_with_its_own_headers_and_titles(store, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(HR_LIST, encoding="utf-8")
    result = import_staff(fixed_ctx(store), path)
    assert result.created == 5
    assert result.notes == ["not used: 'Email', 'Phone' (a staff list's columns are Name, "
                            "Username, Roles, Service areas, Teams, Job title and Staff ref)"]
    members = {m.username: m for m in list_users(fixed_ctx(store))}
    assert members["am-north"].roles == ("auditor",)
    assert members["ad-all"].roles == ("auditor", "head_of_service")
    assert members["qa-pl"].roles == ("auditor", "qa")  # Roles and title added together
    assert members["iro-1"].roles == ("qa",)
    assert members["sp-1"].roles == ("social_worker",)
    with store.read() as session:
        worker_id = session.scalar(select(User.worker_id).where(User.username == "sp-1"))
        assert session.get(Worker, worker_id).staff_ref == "E104"  # "Employee No." read


def test_a_list_with_only_an_email_uses_it_as_the_username(store, tmp_path: Path) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("Full Name,Email,Post,Area\n"
                    "Testperson Frond,frond@example.invalid,Head of Service,North\n",
                    encoding="utf-8")
    result = import_staff(fixed_ctx(store), path)
    assert result.notes == ["usernames are the addresses in 'Email' (the list has no login "
                            "column)"]
    assert [m.username for m in list_users(fixed_ctx(store))] == ["frond@example.invalid"]


def test_a_missing_column_names_the_headers_that_would_do(tmp_path: Path, store) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("Employee Name,Locality,Phone\nTestperson Gale,North,0100\n",
                    encoding="utf-8")
    with pytest.raises(InputProblem, match=r"missing column\(s\) 'Username' .*'Network "
                       "Login'"):
        import_staff(fixed_ctx(store), path)
