"""A database URL with a password in it is refused with a hint to use the keyring."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.cli.main import main
from desktop.errors import InputProblem
from desktop.services.auth.urls import refuse_password_in_url

SECRET = "s3cr3t-synthetic"


@pytest.mark.parametrize("url", [
    f"postgresql://dip:{SECRET}@db.example/central",
    f"postgresql+psycopg://dip:{SECRET}@db.example:5433/central?schema=dip",
    f"postgresql://dip@db.example/central?password={SECRET}",
    f"postgresql://dip@db.example/central?sslmode=require&PASSWORD={SECRET}",
])
def test_a_password_anywhere_in_the_url_is_refused(url: str) -> None:
    with pytest.raises(InputProblem) as caught:
        refuse_password_in_url(url)
    assert "keyring" in caught.value.message and SECRET not in caught.value.message


def test_a_url_without_a_password_passes() -> None:
    refuse_password_in_url("postgresql://dip@db.example:5432/central?schema=dip")


@settings(max_examples=60, deadline=None)
@given(user=st.text(min_size=1, max_size=12), password=st.text(min_size=1, max_size=20),
       host=st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True))
def test_any_password_is_refused_and_never_repeated(user: str, password: str,
                                                    host: str) -> None:
    url = f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}/db"
    with pytest.raises(InputProblem) as caught:
        refuse_password_in_url(url)
    assert quote(password, safe="") not in caught.value.message or len(password) < 3


def test_the_sync_command_refuses_one(store, db_path,  # type: ignore[no-untyped-def]
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sync", "--database", f"postgresql://dip:{SECRET}@db.example/central",
                 "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code != 0 and "keyring" in err and SECRET not in err
