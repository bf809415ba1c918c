"""The lifecycle table, walked pair by pair against a literal matrix (SPEC §3)."""

import datetime

import pytest
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.service_requests import selectors, services, transitions
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import followup_done, make_request, move_to

STATES = [s.value for s in ServiceRequest.Status]
ACTIONS = list(transitions.TRANSITIONS)

# action -> {state it may leave from: state it goes to}
EXPECTED = {
    "assign": dict.fromkeys(["new", "assigned", "in_progress", "reopened"], "assigned"),
    "take": dict.fromkeys(["new", "in_progress", "reopened"], "assigned"),
    "start": dict.fromkeys(
        ["assigned", "reopened", "pending_customer", "scheduled"], "in_progress"
    ),
    "request-approval": {"in_progress": "pending_approval"},
    "approve": {"pending_approval": "in_progress"},
    "reject": {"pending_approval": "in_progress"},
    "wait-customer": {"in_progress": "pending_customer"},
    "schedule": dict.fromkeys(["assigned", "in_progress"], "scheduled"),
    "resolve": dict.fromkeys(
        ["new", "assigned", "in_progress", "reopened", "scheduled"], "resolved"
    ),
    "reopen": dict.fromkeys(["resolved", "closed"], "reopened"),
    "close": {"resolved": "closed"},
    "cancel": dict.fromkeys(
        [
            "new",
            "assigned",
            "in_progress",
            "pending_approval",
            "pending_customer",
            "scheduled",
            "reopened",
        ],
        "cancelled",
    ),
}


def _inputs(action, assignee):
    return {
        "assign": {"assignee": assignee},
        "request-approval": {"note": "更换压缩机需审批"},
        "wait-customer": {"note": "等客户回电"},
        "schedule": {"scheduled_for": timezone.now() + datetime.timedelta(days=2)},
        "resolve": {"resolution": "已修复"},
        "reopen": {"reason": "问题复发"},
        "reject": {"reason": "费用过高"},
        "cancel": {"reason": "重复报修"},
    }.get(action, {})


def test_the_matrix_covers_every_action():
    assert set(EXPECTED) == set(ACTIONS)
    for action, moves in EXPECTED.items():
        transition = transitions.TRANSITIONS[action]
        assert set(moves) == set(transition.sources), action
        assert set(moves.values()) == {transition.target}, action


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action_pair(action, state, admin_user, customer_a):
    request = move_to(make_request(by=admin_user, customer=customer_a), state, by=admin_user)
    assert request.status == state
    events_before = ServiceRequestEvent.objects.filter(request=request).count()
    version_before = request.version
    taken = state in {*EXPECTED["take"], "assigned"} and request.assignee_id is not None
    if action == "take" and taken:
        # Someone has it: taking it is refused as a conflict that names them.
        with pytest.raises(Conflict):
            services.service_request_act(request, action, by=admin_user)
        request.refresh_from_db()
        assert request.version == version_before
    elif state in EXPECTED[action]:
        if action == "close":
            followup_done(request, by=admin_user)  # closing waits for the follow-up visit
        done = services.service_request_act(
            request, action, by=admin_user, data=_inputs(action, admin_user)
        )
        assert done.status == EXPECTED[action][state]
        assert done.version == version_before + 1
        # The action's own line (apps may add their lines after it, e.g. a follow-up).
        event = ServiceRequestEvent.objects.filter(
            request=request, kind=ServiceRequestEvent.Kind.STATUS_CHANGED
        ).latest("id")
        assert (event.action, event.from_status, event.to_status) == (action, state, done.status)
        assert event.actor == admin_user
    else:
        with pytest.raises(InvalidTransition):
            services.service_request_act(
                request, action, by=admin_user, data=_inputs(action, admin_user)
            )
        request.refresh_from_db()
        assert request.status == state
        assert request.version == version_before
        assert ServiceRequestEvent.objects.filter(request=request).count() == events_before


@pytest.mark.parametrize(
    ("action", "missing"),
    [
        ("cancel", "reason"),
        ("reopen", "reason"),
        ("reject", "reason"),
        ("resolve", "resolution"),
        ("assign", "assignee"),
        ("schedule", "scheduled_for"),
        ("request-approval", "note"),
    ],
)
def test_actions_refuse_missing_inputs(action, missing, admin_user, customer_a):
    start = {
        "reopen": "resolved",
        "reject": "pending_approval",
        "request-approval": "in_progress",
    }.get(action, "new")
    if action == "schedule":
        start = "assigned"
    request = move_to(make_request(by=admin_user, customer=customer_a), start, by=admin_user)
    with pytest.raises(DomainError) as caught:
        services.service_request_act(
            request, action, by=admin_user, data={missing: "   "} if missing != "assignee" else {}
        )
    assert missing in caught.value.fields
    request.refresh_from_db()
    assert request.status == start


def test_reopen_counts_and_clears_resolution_time(agent, customer_a):
    request = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    assert request.resolved_at is not None
    request = services.service_request_act(request, "reopen", by=agent, data={"reason": "又坏了"})
    assert request.reopen_count == 1
    assert request.resolved_at is None
    request = services.service_request_act(
        request, "resolve", by=agent, data={"resolution": "更换主板"}
    )
    request = services.service_request_act(request, "reopen", by=agent, data={"reason": "还是不行"})
    assert request.reopen_count == 2


def test_waiting_for_the_customer_pauses_the_resolution_clock(agent, customer_a, time_machine):
    utc = datetime.UTC
    # Monday 2 March 2026, 10:00 in Shanghai; medium priority: 24 working hours.
    time_machine.move_to(datetime.datetime(2026, 3, 2, 2, 0, tzinfo=utc), tick=False)
    request = move_to(make_request(by=agent, customer=customer_a), "in_progress", by=agent)
    assert request.resolution_due_at == datetime.datetime(2026, 3, 5, 2, 0, tzinfo=utc)  # Thu 10:00
    request = services.service_request_act(
        request, "wait-customer", by=agent, data={"note": "等照片"}
    )
    assert selectors.sla_block(request)["resolution"]["state"] == "paused"
    # Back at 13:00 local: three hours of waiting, two of them working time (lunch is not).
    time_machine.move_to(datetime.datetime(2026, 3, 2, 5, 0, tzinfo=utc), tick=False)
    request = services.service_request_act(request, "start", by=agent)
    assert request.paused_seconds == 2 * 3600
    assert request.resolution_due_at == datetime.datetime(2026, 3, 5, 4, 0, tzinfo=utc)  # Thu 12:00
    assert selectors.sla_block(request)["resolution"]["state"] == "ok"


def test_assignee_must_be_able_to_work_it(agent, analyst, customer_a):
    request = make_request(by=agent, customer=customer_a)
    with pytest.raises(DomainError) as caught:
        services.service_request_act(request, "assign", by=agent, data={"assignee": analyst})
    assert "assignee" in caught.value.fields


def test_assignee_must_belong_to_the_chosen_team(agent, technician, team_b, customer_a):
    request = make_request(by=agent, customer=customer_a)
    with pytest.raises(DomainError) as caught:
        services.service_request_act(
            request, "assign", by=agent, data={"assignee": technician, "team": team_b}
        )
    assert "assignee" in caught.value.fields


def test_assigning_takes_the_assignees_team(agent, technician, team_a, customer_a):
    request = make_request(by=agent, customer=customer_a)
    request = services.service_request_act(request, "assign", by=agent, data={"assignee": "tech1"})
    assert request.assignee == technician
    assert request.team == team_a


# (role fixture, state, action) -> allowed?  For a request of team A assigned to tech1.
ROLE_MATRIX = [
    ("agent", "in_progress", "assign", True),
    ("agent", "in_progress", "resolve", True),
    ("agent", "resolved", "close", True),
    ("agent", "pending_approval", "approve", False),
    ("technician", "in_progress", "wait-customer", True),
    ("technician", "in_progress", "resolve", True),
    ("technician", "in_progress", "assign", False),
    ("technician", "in_progress", "cancel", False),
    ("technician", "resolved", "close", False),
    ("technician", "pending_approval", "approve", False),
    ("other_technician", "in_progress", "resolve", False),
    ("supervisor", "pending_approval", "approve", True),
    ("supervisor", "pending_approval", "reject", True),
    ("supervisor", "in_progress", "cancel", True),
    ("department", "in_progress", "resolve", False),
    ("analyst", "in_progress", "resolve", False),
    ("analyst", "resolved", "close", False),
    ("customer_user", "new", "cancel", True),
    ("customer_user", "in_progress", "cancel", False),
    ("customer_user", "resolved", "close", True),
    ("customer_user", "resolved", "reopen", True),
    ("customer_user", "in_progress", "resolve", False),
    ("other_customer_user", "resolved", "reopen", False),
    ("other_customer_user", "new", "cancel", False),
]


@pytest.mark.parametrize(("role", "state", "action", "allowed"), ROLE_MATRIX)
def test_who_may_take_which_action(
    role, state, action, allowed, request, agent, technician, customer_a
):
    actor = request.getfixturevalue(role)
    sr = make_request(by=agent, customer=customer_a)
    if state != "new":
        sr = services.service_request_act(sr, "assign", by=agent, data={"assignee": technician})
        sr = move_to(sr, state, by=agent, assignee=technician) if state != "assigned" else sr
    assert sr.status == state
    offered = action in [t.name for t in transitions.available(sr, actor)]
    assert offered is allowed
    if allowed:
        if action == "close":
            followup_done(sr, by=agent)  # closing waits for the follow-up visit
        services.service_request_act(sr, action, by=actor, data=_inputs(action, technician))
    else:
        with pytest.raises(NotAllowed):
            services.service_request_act(sr, action, by=actor, data=_inputs(action, technician))
        sr.refresh_from_db()
        assert sr.status == state


def test_the_lifecycle_document_is_current():
    from pathlib import Path

    from django.conf import settings

    from aftersales.service_requests import lifecycle_doc

    written = (Path(settings.BASE_DIR) / "docs" / "lifecycle.md").read_text(encoding="utf-8")
    assert written == lifecycle_doc.render(), "run: manage.py lifecycle_doc"


def test_a_guard_refuses_an_action_and_nothing_changes(agent, customer_a, monkeypatch):
    request = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    seen = []

    def closing_waits(locked, transition, by):
        seen.append((locked.status, transition.name, by))
        raise DomainError("The follow-up is not done yet.")

    monkeypatch.setattr(transitions, "_GUARDS", {})
    transitions.add_guard("close", closing_waits)
    events = ServiceRequestEvent.objects.filter(request=request).count()
    with pytest.raises(DomainError, match="follow-up"):
        services.service_request_act(request, "close", by=agent)
    assert seen == [("resolved", "close", agent)]
    request.refresh_from_db()
    assert request.status == "resolved"
    assert ServiceRequestEvent.objects.filter(request=request).count() == events
    # Other actions are not guarded by it.
    services.service_request_act(request, "reopen", by=agent, data={"reason": "still noisy"})


def test_a_guard_is_for_a_known_action_only():
    with pytest.raises(InvalidTransition):
        transitions.add_guard("archive", lambda *args: None)


def test_every_action_announces_itself_after_its_event(agent, customer_a):
    from aftersales.service_requests import signals

    heard = []

    def listen(sender, request, action, from_status, to_status, by, **kwargs):
        last = ServiceRequestEvent.objects.filter(
            request=request, kind=ServiceRequestEvent.Kind.STATUS_CHANGED
        ).latest("id")
        heard.append((action, from_status, to_status, by, last.action))

    signals.request_transitioned.connect(listen)
    try:
        move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    finally:
        signals.request_transitioned.disconnect(listen)
    assert [h[:3] for h in heard] == [
        ("assign", "new", "assigned"),
        ("start", "assigned", "in_progress"),
        ("resolve", "in_progress", "resolved"),
    ]
    assert all(h[3] == agent and h[4] == h[0] for h in heard)


def test_a_request_resolved_without_an_earlier_reply_was_answered_by_its_resolution(
    agent, customer_a
):
    request = move_to(make_request(by=agent, customer=customer_a), "in_progress", by=agent)
    assert request.first_responded_at is None
    resolved = services.service_request_act(
        request, "resolve", by=agent, data={"resolution": "电话指导重置后恢复"}
    )
    assert resolved.first_responded_at == resolved.resolved_at


def test_the_first_reply_stays_the_first_response(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    services.comment_add(request, by=agent, body="您好，已收到", internal=False)
    request.refresh_from_db()
    first = request.first_responded_at
    assert first is not None
    resolved = move_to(request, "resolved", by=agent)
    assert resolved.first_responded_at == first
