"""The in-memory allocator: quotas, priority, shortfalls, overlap, reproducibility."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.services.sampling.allocate import AuditorSpec, Candidate, allocate
from desktop.services.sampling.settings import RAGS, SamplingSettings

S = SamplingSettings()


def cases(n: int, rag: str, area: str = "north", cohort: str = "cin", start: int = 0
          ) -> list[Candidate]:
    return [Candidate(f"{rag}-{area}-{i}", f"SYN-{rag[0]}{area[0]}{i:05d}", rag, cohort, area)
            for i in range(start, start + n)]


def test_default_quotas_are_met_with_reasons() -> None:
    pool = cases(30, "red") + cases(30, "amber") + cases(30, "green")
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], S, seed=7).values()
    assert Counter(p.stratum for p in alloc.picks) == {"red": 10, "amber": 10, "green": 5}
    assert all(p.rag == p.stratum for p in alloc.picks)
    assert {p.reason for p in alloc.picks} == {"chosen at random from the Red cases",
                                               "chosen at random from the Amber cases",
                                               "chosen at random from the Green cases"}
    assert alloc.shortfalls == []


def test_priority_cohorts_come_first_within_a_stratum() -> None:
    pool = (cases(40, "red") + cases(3, "red", cohort="cp", start=100)
            + cases(2, "red", cohort="unborn", start=200)
            + cases(1, "red", cohort="care_leaver", start=300) + cases(20, "amber")
            + cases(20, "green") + cases(4, "green", cohort="cic", start=400))
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], S, seed=1).values()
    red = [p for p in alloc.picks if p.stratum == "red"]
    assert sum(p.priority for p in red) == 6
    assert [p.priority for p in red] == [True] * 6 + [False] * 4
    assert {p.reason for p in red if p.priority} == {
        "priority cohort: child protection plan", "priority cohort: unborn child",
        "priority cohort: care leaver"}


def test_same_data_and_seed_give_the_same_sample_whatever_the_input_order() -> None:
    pool = cases(50, "red") + cases(50, "amber") + cases(50, "green")
    auditor = [AuditorSpec("a1", frozenset({"north"}))]
    first = allocate(pool, auditor, S, seed=42)["a1"].picks
    again = allocate(list(reversed(pool)), auditor, S, seed=42)["a1"].picks
    other = allocate(pool, auditor, S, seed=43)["a1"].picks
    assert first == again
    assert [p.case_id for p in first] != [p.case_id for p in other]


def test_shortfall_is_reported_and_filled_from_the_next_higher_risk_stratum() -> None:
    pool = cases(30, "red") + cases(30, "amber") + cases(3, "green")
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], S, seed=3).values()
    assert len(alloc.picks) == 25
    [short] = alloc.shortfalls
    assert (short.stratum, short.wanted, short.found, short.filled_from, short.unfilled) == (
        "green", 5, 3, {"amber": 2}, 0)
    filled = [p for p in alloc.picks if p.rag != p.stratum]
    assert [(p.rag, p.stratum) for p in filled] == [("amber", "green")] * 2
    assert {p.reason for p in filled} == {
        "filled from the Amber cases: the Green cases were 2 short"}
    assert short.text == ("Green: only 3 of the 5 wanted were eligible; 2 filled from the Amber "
                          "cases")


def test_unfillable_shortfall_is_said_not_hidden() -> None:
    pool = cases(4, "red") + cases(1, "amber")
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], S, seed=3).values()
    assert len(alloc.picks) == 5
    assert {s.stratum: s.unfilled for s in alloc.shortfalls} == {"red": 6, "amber": 9,
                                                                  "green": 5}


def test_fill_order_is_configurable() -> None:
    pool = cases(30, "red") + cases(30, "amber") + cases(0, "green")
    red_first = SamplingSettings(fill_from={"green": ("red",), "amber": (), "red": ()})
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], red_first,
                       seed=3).values()
    assert Counter(p.rag for p in alloc.picks if p.stratum == "green") == {"red": 5}


def test_overlapping_areas_do_not_starve_the_narrower_auditor() -> None:
    # a1 covers North only; a2 covers North and South. Greedy turns could give a2 the
    # North Red cases; a2's quota goes where North's own auditor leaves cases: South.
    pool = cases(10, "red", "north") + cases(10, "red", "south")
    auditors = [AuditorSpec("a2", frozenset({"north", "south"})),
                AuditorSpec("a1", frozenset({"north"}))]
    result = allocate(pool, auditors, S, seed=5)
    assert sum(p.stratum == "red" for p in result["a1"].picks) == 10
    assert sum(p.stratum == "red" for p in result["a2"].picks) == 10
    ids = [p.case_id for a in result.values() for p in a.picks]
    assert len(ids) == len(set(ids))


def test_taken_cases_are_never_chosen() -> None:
    pool = cases(12, "red")
    taken = {c.case_id for c in pool[:5]}
    [alloc] = allocate(pool, [AuditorSpec("a1", frozenset({"north"}))], S, seed=1,
                       taken=taken).values()
    assert not taken & {p.case_id for p in alloc.picks}
    assert len(alloc.picks) == 7


# -- the property test ------------------------------------------------------------------

AREAS = ["n", "s", "e", "w"]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Candidate], list[AuditorSpec], set[str], int]:
    pool = []
    for i in range(draw(st.integers(0, 120))):
        rag = draw(st.sampled_from([*RAGS, "unrated"]))
        area = draw(st.sampled_from(AREAS))
        cohort = draw(st.sampled_from(["cin", "cp", "cic", "unborn"]))
        pool.append(Candidate(f"id{i}", f"SYN-{i:04d}", rag, cohort, area))
    auditors = [AuditorSpec(f"aud{j}", frozenset(draw(st.sets(st.sampled_from(AREAS),
                                                              max_size=3))))
                for j in range(draw(st.integers(1, 6)))]
    taken = {c.case_id for c in pool if draw(st.booleans()) and draw(st.booleans())}
    return pool, auditors, taken, draw(st.integers(0, 2**31))


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_coordinator_mode_properties(scenario) -> None:  # type: ignore[no-untyped-def]
    pool, auditors, taken, seed = scenario
    result = allocate(pool, auditors, S, seed, taken)
    by_id = {c.case_id: c for c in pool}
    chosen = [p.case_id for a in result.values() for p in a.picks]
    assert len(chosen) == len(set(chosen)), "a case was placed twice in one week"
    remaining = {c.case_id for c in pool} - taken - set(chosen)
    for auditor in auditors:
        alloc = result[auditor.auditor_id]
        for pick in alloc.picks:
            case = by_id[pick.case_id]
            assert pick.case_id not in taken
            assert case.service_area_id in auditor.area_ids and case.rag in RAGS
            assert pick.rag == case.rag
        for rag in RAGS:
            quota = S.quotas[rag]
            got = sum(p.stratum == rag for p in alloc.picks)
            assert got <= quota
            own = sum(p.stratum == rag and p.rag == rag for p in alloc.picks)
            if own < quota:
                assert any(s.stratum == rag for s in alloc.shortfalls)
        if len(alloc.picks) < sum(S.quotas.values()):
            # Short overall: nothing eligible is left anywhere in the auditor's areas.
            assert not any(by_id[c].service_area_id in auditor.area_ids
                           and by_id[c].rag in RAGS for c in remaining)
    for auditor in auditors:
        # Maximal: an auditor short of their own RAG left no case of it in their areas.
        alloc = result[auditor.auditor_id]
        for rag in RAGS:
            if sum(p.stratum == rag and p.rag == rag for p in alloc.picks) < S.quotas[rag]:
                assert not any(by_id[c].service_area_id in auditor.area_ids
                               and by_id[c].rag == rag for c in remaining), rag
    for alloc in result.values():
        for pick in alloc.picks:
            # Each pick says which group it came from and that group's chance of selection.
            case = by_id[pick.case_id]
            assert pick.design_stratum == (f"{case.rag}/"
                                           f"{'priority' if pick.priority else 'other'}/"
                                           f"{case.service_area_id}")
            assert pick.probability is not None and 0 < pick.probability <= 1
