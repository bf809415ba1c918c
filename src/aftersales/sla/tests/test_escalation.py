"""Escalation rules: which one matches, what a valid rule is, escalation-rules/ and the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from aftersales.sla.escalation import escalation_rule_for
from aftersales.sla.models import EscalationRule

URL = "/api/v1/escalation-rules/"
REQUEST = {
    "target": "resolution",
    "priority": "high",
    "kind": "repair",
    "category": "software",
    "team_id": None,
}


def rule(name, *, teams=(), **fields):
    fields.setdefault("raise_priority", True)
    escalation = EscalationRule.objects.create(name=name, **fields)
    escalation.teams.set(teams)
    return escalation


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_nothing_matches_without_rules(db):
    assert escalation_rule_for(**REQUEST) is None


def test_the_first_active_rule_by_order_then_id_matches(db):
    rule("停用", order=1, is_active=False)
    second = rule("二", order=5)
    rule("三", order=5)
    rule("四", order=1, targets=["first_response"])
    assert escalation_rule_for(**REQUEST) == second


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({}, True),
        ({"targets": ["resolution"]}, True),
        ({"targets": ["first_response"]}, False),
        ({"priorities": ["high", "urgent"]}, True),
        ({"priorities": ["low"]}, False),
        ({"kinds": ["repair"]}, True),
        ({"kinds": ["complaint"]}, False),
        ({"categories": ["software"]}, True),
        ({"categories": ["usage"]}, False),
        ({"targets": ["resolution"], "kinds": ["complaint"]}, False),  # all must match
    ],
)
def test_each_condition_narrows_the_match(conditions, matches, db):
    created = rule("规则", **conditions)
    assert (escalation_rule_for(**REQUEST) == created) is matches


def test_a_team_condition_is_the_requests_current_team(team_a, team_b):
    created = rule("一线", teams=[team_a])
    assert escalation_rule_for(**{**REQUEST, "team_id": team_a.pk}) == created
    assert escalation_rule_for(**{**REQUEST, "team_id": team_b.pk}) is None
    assert escalation_rule_for(**REQUEST) is None  # no team at all


@pytest.mark.parametrize(
    ("fields", "at_fault"),
    [
        ({"raise_priority": False}, "raise_priority"),
        ({"reassign": "team"}, "reassign_team"),
        ({"priorities": ["asap"]}, "priorities"),
        ({"kinds": "repair"}, "kinds"),
        ({"targets": ["warning"]}, "targets"),
    ],
)
def test_invalid_rules_are_refused_by_clean(fields, at_fault, db):
    with pytest.raises(ValidationError) as refused:
        EscalationRule(name="x", **{"raise_priority": True, **fields}).full_clean()
    assert at_fault in refused.value.message_dict


def test_the_database_refuses_a_rule_that_does_nothing(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationRule.objects.create(name="空")


def test_admins_create_a_rule(admin_api, team_a, team_b):
    response = admin_api.post(
        URL,
        {
            "name": "一线超时转研发",
            "order": 10,
            "targets": ["resolution"],
            "priorities": ["high", "urgent"],
            "kinds": ["repair"],
            "categories": ["software"],
            "teams": [team_a.pk],
            "raise_priority": True,
            "reassign": "team",
            "reassign_team": team_b.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "一线超时转研发",
        "name_en": "",
        "order": 10,
        "is_active": True,
        "targets": ["resolution"],
        "priorities": ["high", "urgent"],
        "kinds": ["repair"],
        "categories": ["software"],
        "teams": [team_a.pk],
        "raise_priority": True,
        "reassign": "team",
        "reassign_team": team_b.pk,
    }
    assert admin_api.get(f"{URL}{body['id']}/").json() == body
    assert [r["id"] for r in admin_api.get(URL).json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x"}, "raise_priority"),  # no action
        ({"name": "x", "reassign": "team"}, "reassign_team"),
        ({"name": "x", "reassign": "supervisor", "reassign_team": "{team}"}, "reassign_team"),
        ({"name": "x", "reassign": "someone"}, "reassign"),
        ({"name": "x", "raise_priority": True, "priorities": ["asap"]}, "priorities.0"),
        ({"name": "x", "raise_priority": True, "kinds": ["teleport"]}, "kinds.0"),
        ({"name": "x", "raise_priority": True, "categories": ["misc"]}, "categories.0"),
        ({"name": "x", "raise_priority": True, "targets": ["warning"]}, "targets.0"),
        ({"name": "x", "raise_priority": True, "teams": [999999]}, "teams"),
        ({"name": "x", "raise_priority": True, "colour": "red"}, "colour"),
        ({"name": "已有", "raise_priority": True}, "name"),
    ],
)
def test_bad_rules_are_refused_with_the_field_named(payload, field, admin_api, team_a):
    rule("已有")
    payload = {k: team_a.pk if v == "{team}" else v for k, v in payload.items()}
    response = admin_api.post(URL, payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert EscalationRule.objects.count() == 1


def test_a_change_is_checked_as_the_rule_would_become(admin_api, team_b):
    created = rule("升级")
    response = admin_api.patch(f"{URL}{created.pk}/", {"raise_priority": False}, format="json")
    assert response.status_code == 400 and "raise_priority" in response.json()["fields"]
    response = admin_api.patch(
        f"{URL}{created.pk}/",
        {"raise_priority": False, "reassign": "team", "reassign_team": team_b.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    created.refresh_from_db()
    assert (created.raise_priority, created.reassign_team) == (False, team_b)
    assert admin_api.delete(f"{URL}{created.pk}/").status_code == 204
    assert not EscalationRule.objects.exists()


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("agent", 200, 403),
        ("supervisor", 200, 403),
        ("analyst", 200, 403),
        ("customer_user", 403, 403),
        ("admin_user", 200, 201),
    ],
)
def test_staff_read_and_admins_write(role, read, write, request):
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(role))
    assert client.get(URL).status_code == read
    response = client.post(URL, {"name": "新规则", "raise_priority": True}, format="json")
    assert response.status_code == write


def test_anonymous_gets_nothing(db):
    assert APIClient().get(URL).status_code == 401


def test_the_admin_form_offers_the_conditions_as_choices(admin_user, team_a, client):
    client.force_login(admin_user)
    page = client.get("/admin/sla/escalationrule/add/")
    assert page.status_code == 200
    response = client.post(
        "/admin/sla/escalationrule/add/",
        {
            "name": "投诉升级",
            "order": 5,
            "is_active": "on",
            "targets": ["first_response", "resolution"],
            "kinds": ["complaint"],
            "teams": [team_a.pk],
            "reassign": "supervisor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = EscalationRule.objects.get(name="投诉升级")
    assert created.targets == ["first_response", "resolution"]
    assert (created.kinds, created.priorities, created.categories) == (["complaint"], [], [])
    assert list(created.teams.all()) == [team_a]
    refused = client.post(
        "/admin/sla/escalationrule/add/", {"name": "空规则", "order": 5, "reassign": "none"}
    )
    assert refused.status_code == 200  # the form again, with the error
    assert not EscalationRule.objects.filter(name="空规则").exists()
