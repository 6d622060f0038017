"""The first screenful read from an index is exactly the head of the full listing."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.models import Case
from desktop.services.case_list import CaseQuery, SortKey, case_rows, first_page, list_cases
from desktop.services.context import ServiceContext
from desktop.services.demo_county import build_demo_county


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import keyring

    from desktop.store import open_store
    from tests.conftest import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    store = open_store(tmp_path_factory.mktemp("county") / "c.db", prompt=None, create=True)
    ctx = ServiceContext(store=store)
    build_demo_county(ctx, cases=500, seed=11, as_of=dt.date(2026, 11, 20))
    with store.transaction() as session:  # the odd ones an export brings
        session.add_all([Case(case_ref="DC0000001", child_name="zed lowercase"),
                         Case(case_ref="dc0000002", child_name="", rag="amber"),
                         Case(case_ref="DC0000003", child_name="Émile Accent", rag="purple")])
    yield ctx
    store.close()
    keyring.set_keyring(previous)


QUERIES = [CaseQuery(sort=key, descending=desc, **extra)
           for key in SortKey for desc in (False, True)
           for extra in ({}, {"open_only": True}, {"rag": "amber"}, {"text": "north"},
                         {"text": "dc00001"}, {"text": "red", "open_only": True})]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.sort}-{q.descending}-{q.text}"
                         f"-{q.rag}-{q.open_only}")
def test_first_page_is_the_head_of_the_listing(county: ServiceContext, query: CaseQuery
                                                ) -> None:
    listing = list_cases(county, query)
    head = first_page(county, query, limit=40)
    assert [r.id for r in head] == listing.ids[:40]
    assert head == case_rows(county, listing.ids[:40])


def test_the_orders_are_not_trivial(county: ServiceContext) -> None:
    """The county has cases without a RAG or a visit, and names in mixed case."""
    by_visit = list_cases(county, CaseQuery(sort=SortKey.LAST_VISIT))
    rows = case_rows(county, by_visit.ids)
    assert rows[0].last_visit is not None and rows[-1].last_visit is None
    assert list_cases(county, CaseQuery(text="north")).shown > 0
    by_child = case_rows(county, list_cases(county, CaseQuery(sort=SortKey.CHILD)).ids)
    assert by_child[-1].child_name == ""
    # References sort as written (upper case before lower), matched in any case.
    assert [r.case_ref for r in first_page(county, CaseQuery(text="dc000000"))] == [
        "DC0000001", "DC0000003", "dc0000002"]
