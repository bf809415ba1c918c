"""Routing and assignment strategies, without a database."""

from hypothesis import given
from hypothesis import strategies as st

from aftersales.dispatch.choosing import (
    Candidate,
    Conditions,
    Facts,
    first_match,
    least_open,
    matches,
    round_robin,
    skill_match,
)

QUALITY = Facts(kind="repair", category="product_quality", channel="phone", product_line="空调")


def test_empty_conditions_match_everything():
    assert matches(Conditions(), QUALITY)


def test_each_condition_narrows():
    assert matches(Conditions(categories=["product_quality", "usage"]), QUALITY)
    assert not matches(Conditions(categories=["software"]), QUALITY)
    assert matches(Conditions(product_lines=[" 空调 "]), QUALITY)
    assert not matches(Conditions(product_lines=["冰箱"]), QUALITY)
    assert not matches(Conditions(kinds=["repair"], channels=["email"]), QUALITY)
    assert matches(Conditions(regions=["Shanghai"]), Facts("repair", "x", "web", region="shanghai"))


def test_first_matching_rule_wins_in_order():
    rules = [
        (Conditions(categories=["software"]), "rnd"),
        (Conditions(categories=["product_quality"]), "qc"),
        (Conditions(), "service desk"),
    ]
    assert first_match(rules, QUALITY) == "qc"
    assert first_match(rules, Facts("repair", "software", "web")) == "rnd"
    assert first_match(rules, Facts("repair", "other", "web")) == "service desk"
    assert first_match(rules[:2], Facts("repair", "other", "web")) is None


def test_round_robin_goes_around_in_id_order():
    people = [Candidate(7), Candidate(3), Candidate(5)]
    picks, last = [], None
    for _ in range(4):
        last = round_robin(people, last_user_id=last)
        picks.append(last)
    assert picks == [3, 5, 7, 3]


def test_round_robin_skips_people_without_room():
    people = [
        Candidate(1),
        Candidate(2, available=False),
        Candidate(3, open_requests=2, capacity=2),
    ]
    assert round_robin(people, last_user_id=1) == 1
    assert round_robin([], last_user_id=None) is None


def test_least_open_and_ties():
    people = [Candidate(1, open_requests=3), Candidate(2, open_requests=1), Candidate(3, 1)]
    assert least_open(people) == 2


def test_skill_match_prefers_category_then_product_line_then_load():
    facts = QUALITY
    generalist = Candidate(1, open_requests=0)
    quality = Candidate(2, open_requests=5, skills=frozenset({"product_quality"}))
    quality_ac = Candidate(
        3, open_requests=9, skills=frozenset({"product_quality"}), product_lines=frozenset({"空调"})
    )
    assert skill_match([generalist, quality], facts) == 2
    assert skill_match([generalist, quality, quality_ac], facts) == 3
    assert skill_match([generalist, Candidate(4, open_requests=2)], facts) == 1  # nobody matches


@given(
    st.lists(
        st.builds(
            Candidate,
            user_id=st.integers(1, 50),
            open_requests=st.integers(0, 10),
            capacity=st.none() | st.integers(0, 10),
            available=st.booleans(),
        ),
        max_size=8,
        unique_by=lambda c: c.user_id,
    ),
    st.none() | st.integers(1, 50),
)
def test_every_strategy_picks_someone_with_room_or_nobody(people, last):
    with_room = {c.user_id for c in people if c.has_room}
    for pick in (
        round_robin(people, last_user_id=last),
        least_open(people),
        skill_match(people, QUALITY),
    ):
        assert (pick in with_room) if with_room else pick is None
