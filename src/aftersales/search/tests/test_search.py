"""Chinese and English full-text search, on whichever database the suite runs on."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.search import services, tokens
from aftersales.search.selectors import search_filter
from aftersales.service_requests import access
from aftersales.service_requests import services as sr_services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request


def found(user, query):
    qs = access.visible_to(user)
    return set(
        search_filter(qs, query, include_internal=access.is_staff(user)).values_list(
            "number", flat=True
        )
    )


@pytest.fixture
def corpus(agent, customer_a, customer_b):
    from aftersales.catalog.models import Product

    product = Product.objects.create(
        model="JSQ30-16", name="燃气热水器", name_en="Gas water heater"
    )
    return {
        "cooling": make_request(
            by=agent, customer=customer_a, title="空调不制冷", description="开机后吹的是热风"
        ),
        "leak": make_request(
            by=agent,
            customer=customer_b,
            title="洗衣机漏水",
            description="脱水时底部漏水严重，地板都湿了",
        ),
        "english": make_request(
            by=agent,
            customer=customer_b,
            title="Compressor noise",
            description="Loud rattling from the outdoor unit",
            product=product,
            serial_number="JSQ-2024-000123",
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("制冷", {"cooling"}),
        ("漏水", {"leak"}),
        ("底部漏水", {"leak"}),  # from the middle of a sentence
        ("地板都湿", {"leak"}),
        ("热", {"cooling", "english"}),  # 热风 and 热水器 (product name)
        ("热水器", {"english"}),
        ("compressor", {"english"}),
        ("COMPRESS", {"english"}),  # prefix, any case
        ("outdoor rattling", {"english"}),
        ("JSQ-2024-000123", {"english"}),
        ("张三", {"cooling"}),  # customer name
        ("13900139000", {"leak", "english"}),  # customer phone
        ("9000", {"leak", "english"}),  # last four digits of the phone
        ("li@example.com", {"leak", "english"}),
        ("冰箱", set()),
        ("制冷 漏水", set()),  # every term must match
    ],
)
def test_search_finds(query, expected, corpus, agent):
    numbers = {corpus[key].number for key in expected}
    assert found(agent, query) == numbers


def test_search_by_service_number(corpus, agent):
    number = corpus["leak"].number
    assert found(agent, number) == {number}


def test_search_sees_comments_and_respects_scope(corpus, agent, customer_user, technician):
    sr_services.comment_add(corpus["leak"], by=agent, body="已更换进水阀", internal=False)
    sr_services.comment_add(corpus["cooling"], by=agent, body="内部：疑似冷媒泄漏", internal=True)
    assert found(agent, "进水阀") == {corpus["leak"].number}
    assert found(agent, "冷媒") == {corpus["cooling"].number}
    assert found(customer_user, "冷媒") == set()  # internal notes are not searchable by customers
    assert found(customer_user, "漏水") == set()  # another customer's request
    assert found(customer_user, "制冷") == {corpus["cooling"].number}
    assert found(technician, "制冷") == set()  # not assigned to them or their team


def test_rebuilding_the_index_gives_the_same_answers(corpus, agent):
    before = {q: found(agent, q) for q in ["制冷", "漏水", "compressor"]}
    assert services.search_index_rebuild(batch_size=2) == ServiceRequest.objects.count()
    assert {q: found(agent, q) for q in before} == before


@pytest.mark.parametrize(
    "query", ['"', "'", "*", "a OR b", "NEAR(x)", '制冷"', "\\", "---", "' & '"]
)
def test_query_syntax_characters_are_harmless(query, corpus, agent):
    found(agent, query)  # no error from FTS5 or tsquery syntax


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@given(text=st.text(alphabet=CJK, min_size=2, max_size=30), data=st.data())
@settings(max_examples=200, deadline=None)
def test_every_fragment_of_chinese_text_is_matched_by_its_tokens(text, data):
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 2, len(text)))
    indexed = set(tokens.index_tokens(text))
    assert all(term in indexed for term, _prefix in tokens.query_terms(text[start:end]))


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_tokens_never_contain_separators(text):
    for token in tokens.index_tokens(text):
        assert token and " " not in token and '"' not in token and "'" not in token
    for token, _prefix in tokens.query_terms(text):
        assert token and " " not in token and '"' not in token and "'" not in token
