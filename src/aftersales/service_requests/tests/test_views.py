"""The staff console through the test client: pages, permissions, actions, intake."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from aftersales.catalog.models import Product, Unit
from aftersales.customers.models import Customer
from aftersales.service_requests import services
from aftersales.service_requests.models import (
    Attachment,
    Comment,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.service_requests.tests.factories import followup_done, make_request, move_to

S = ServiceRequest.Status
HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def url(name: str, *args) -> str:
    return reverse(f"service_requests:{name}", args=args)


def act(client, request: ServiceRequest, action: str, *, htmx: bool = False, **data):
    data.setdefault("version", request.version)
    return client.post(url("act", request.number, action), data, **(HTMX if htmx else {}))


def refreshed(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=request.pk)


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def in_team_a(agent, customer_a, team_a):
    return make_request(by=agent, customer=customer_a, team=team_a, title="Compressor noise")


@pytest.fixture
def in_team_b(agent, customer_b, team_b):
    return make_request(
        by=agent, customer=customer_b, team=team_b, title="Screen flicker", category="software"
    )


# --- List -----------------------------------------------------------------------------


def test_list_shows_requests_with_columns_for_an_agent(client, agent, in_team_a, in_team_b):
    client.force_login(agent)
    response = client.get(url("list"))
    assert response.status_code == 200
    body = response.content.decode()
    for number in (in_team_a.number, in_team_b.number):
        assert f'href="{url("detail", number)}"' in body
    assert 'data-label="Customer"' in body
    assert "badge sla-ok" in body
    assert "badge priority-medium" in body
    assert in_team_a.customer.name in body


def test_list_filters_live_in_the_query(client, agent, in_team_a, in_team_b):
    client.force_login(agent)
    body = client.get(url("list"), {"category": "software"}).content.decode()
    assert in_team_b.number in body
    assert in_team_a.number not in body
    # An "any" choice sends an empty value; it filters nothing.
    body = client.get(url("list"), {"category": "", "status": "", "team": ""}).content.decode()
    assert in_team_a.number in body
    assert in_team_b.number in body
    body = client.get(url("list"), {"team": in_team_a.team_id}).content.decode()
    assert in_team_a.number in body
    assert in_team_b.number not in body


def test_list_searches_full_text(client, agent, in_team_a, in_team_b):
    client.force_login(agent)
    body = client.get(url("list"), {"search": "compressor"}).content.decode()
    assert in_team_a.number in body
    assert in_team_b.number not in body


def test_list_saved_views(client, agent, technician, in_team_a, in_team_b):
    move_to(in_team_a, S.ASSIGNED, by=agent, assignee=agent)
    move_to(in_team_b, S.CANCELLED, by=agent)
    client.force_login(agent)

    def numbers(view: str) -> set[str]:
        body = client.get(url("list"), {"view": view}).content.decode()
        return {n for n in (in_team_a.number, in_team_b.number) if n in body}

    assert numbers("mine") == {in_team_a.number}
    assert numbers("open") == {in_team_a.number}
    assert numbers("unassigned") == set()
    assert numbers("all") == {in_team_a.number, in_team_b.number}
    assert numbers("overdue") == set()
    # No view given: the open requests.
    body = client.get(url("list")).content.decode()
    assert in_team_b.number not in body


def test_list_sorts_and_paginates(client, agent, customer_a):
    for i in range(27):
        make_request(by=agent, customer=customer_a, title=f"Request {i}")
    client.force_login(agent)
    first = client.get(url("list"), {"ordering": "number"})
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["rows"]) == 25
    numbers = [row[0].number for row in first.context["rows"]]
    assert numbers == sorted(numbers)
    second = client.get(url("list"), {"ordering": "number", "page": 2})
    assert len(second.context["rows"]) == 2


def test_list_answers_htmx_with_the_list_only(client, agent, in_team_a):
    client.force_login(agent)
    response = client.get(url("list"), {"view": "all"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="request-list">')
    assert "<html" not in body
    assert in_team_a.number in body


def test_list_query_count_does_not_grow_with_rows(
    client, agent, technician, customer_a, team_a, django_assert_max_num_queries
):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("list"), {"view": "all"}).status_code == 200
        return len(captured)

    make_request(by=agent, customer=customer_a, team=team_a)
    client.force_login(technician)
    few = count_queries()
    for i in range(24):
        made = make_request(by=agent, customer=customer_a, team=team_a, title=f"Fault {i}")
        if i % 2:
            move_to(made, S.ASSIGNED, by=agent, assignee=technician)
    assert count_queries() == few
    with django_assert_max_num_queries(10):
        client.get(url("list"), {"view": "all", "ordering": "priority"})


# --- Access ---------------------------------------------------------------------------


def test_technician_sees_only_their_teams_requests(client, technician, in_team_a, in_team_b):
    client.force_login(technician)
    body = client.get(url("list"), {"view": "all"}).content.decode()
    assert in_team_a.number in body
    assert in_team_b.number not in body
    assert client.get(url("detail", in_team_a.number)).status_code == 200
    assert client.get(url("detail", in_team_b.number)).status_code == 404
    assert act(client, in_team_b, "start").status_code == 404
    assert refreshed(in_team_b).status == S.NEW


def test_console_urls_leave_the_other_sections_alone():
    assert resolve("/admin/").url_name == "index"
    assert resolve("/SR-20260105-0001/").url_name == "detail"


def test_anonymous_visitors_are_sent_to_sign_in(client, in_team_a):
    response = client.get(url("detail", in_team_a.number))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Detail ---------------------------------------------------------------------------


def test_detail_shows_intake_sla_timeline_and_actions(client, agent, customer_a, team_a):
    product = Product.objects.create(model="KFR-35GW", name="空调", warranty_months=24)
    Unit.objects.create(
        product=product,
        customer=customer_a,
        serial_number="SN-0001",
        batch_number="B2025-07",
        purchase_date=datetime.date(2025, 8, 1),
    )
    target = make_request(by=agent, customer=customer_a, team=team_a, serial_number="SN-0001")
    services.comment_add(target, by=agent, body="Called back, no answer", internal=True)
    services.comment_add(target, by=agent, body="We will call you today", internal=False)
    client.force_login(agent)
    response = client.get(url("detail", target.number))
    body = response.content.decode()
    assert response.status_code == 200
    for text in (target.number, customer_a.name, "SN-0001", "B2025-07", "KFR-35GW", "In warranty"):
        assert text in body
    assert "Called back, no answer" in body
    assert 'class="comment internal"' in body
    assert "We will call you today" in body
    assert "badge sla-met" in body  # the public reply was the first response
    # The actions offered are those of the lifecycle table for an agent on a new request.
    offered = [form.transition.name for form in response.context["actions"]]
    assert offered == ["assign", "take", "resolve", "cancel"]
    assert url("act", target.number, "assign") in body
    assert 'name="version"' in body


def test_detail_answers_htmx_with_the_panels(client, agent, in_team_a):
    client.force_login(agent)
    body = client.get(url("detail", in_team_a.number), **HTMX).content.decode()
    assert body.lstrip().startswith('<div id="request-panels">')
    assert "<html" not in body


def test_customer_sees_own_request_without_internal_notes(
    client, agent, customer_user, in_team_a, in_team_b
):
    services.comment_add(in_team_a, by=agent, body="Customer sounds upset", internal=True)
    services.comment_add(in_team_a, by=agent, body="A technician will call", internal=False)
    client.force_login(customer_user)
    response = client.get(url("detail", in_team_a.number))
    body = response.content.decode()
    assert response.status_code == 200
    assert "A technician will call" in body
    assert "Customer sounds upset" not in body
    assert "Internal note" not in body
    assert response.context["edit_form"] is None
    assert "is_internal" not in response.context["comment_form"].fields
    assert client.get(url("detail", in_team_b.number)).status_code == 404
    listing = client.get(url("list")).content.decode()
    assert in_team_a.number in listing
    assert in_team_b.number not in listing


def test_read_only_and_department_staff_get_what_they_may_do(
    client, agent, analyst, department, customer_b, team_b
):
    routed = make_request(by=agent, customer=customer_b, team=team_b)
    client.force_login(analyst)
    response = client.get(url("detail", routed.number))
    assert response.status_code == 200
    assert response.context["actions"] == []
    assert response.context["comment_form"] is None
    assert response.context["edit_form"] is None

    client.force_login(department)
    response = client.get(url("detail", routed.number))
    form = response.context["comment_form"]
    assert form.forced_internal
    assert "is_internal" not in form.fields
    client.post(url("comment", routed.number), {"body": "Batch B7 has a known defect"})
    assert Comment.objects.get(request=routed).is_internal


# --- Actions --------------------------------------------------------------------------


def _future_local(days: int = 1) -> str:
    moment = timezone.now().astimezone(SHANGHAI) + datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


ACTION_CASES = [
    # action, state before, who acts, inputs, state after
    ("assign", S.NEW, "agent", {"assignee": "technician", "team": "team_a"}, S.ASSIGNED),
    ("start", S.ASSIGNED, "agent", {}, S.IN_PROGRESS),
    (
        "request-approval",
        S.IN_PROGRESS,
        "technician",
        {"note": "New compressor"},
        "pending_approval",
    ),
    ("approve", S.PENDING_APPROVAL, "supervisor", {}, S.IN_PROGRESS),
    ("reject", S.PENDING_APPROVAL, "supervisor", {"reason": "Too expensive"}, S.IN_PROGRESS),
    (
        "wait-customer",
        S.IN_PROGRESS,
        "technician",
        {"note": "Need the invoice"},
        S.PENDING_CUSTOMER,
    ),
    ("schedule", S.ASSIGNED, "technician", {"scheduled_for": "future"}, S.SCHEDULED),
    ("resolve", S.IN_PROGRESS, "technician", {"resolution": "Replaced capacitor"}, S.RESOLVED),
    ("reopen", S.RESOLVED, "agent", {"reason": "Noise is back"}, S.REOPENED),
    ("close", S.RESOLVED, "agent", {}, S.CLOSED),
    ("cancel", S.NEW, "agent", {"reason": "Duplicate"}, S.CANCELLED),
]


@pytest.mark.parametrize(("action", "before", "actor", "inputs", "after"), ACTION_CASES)
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_each_action_changes_the_request_and_writes_an_event(
    request, client, agent, technician, in_team_a, action, before, actor, inputs, after, htmx
):
    target = move_to(in_team_a, before, by=agent, assignee=technician)
    user = request.getfixturevalue(actor)
    values = {
        "technician": technician.username,
        "team_a": target.team_id,
        "future": _future_local(),
    }
    data = {name: values.get(value, value) for name, value in inputs.items()}
    if action == "close":
        followup_done(target, by=agent)  # closing waits for the follow-up visit
    client.force_login(user)
    response = act(client, target, action, htmx=htmx, **data)
    if htmx:
        assert response.status_code == 200
        assert "request-changed" in response["HX-Trigger"]
        assert response.content.decode().lstrip().startswith('<div id="request-panels">')
    else:
        assert response.status_code == 302
        assert response["Location"] == url("detail", target.number)
    changed = refreshed(target)
    assert changed.status == after
    assert changed.version == target.version + 1
    # The action's own line (apps may add theirs after it: a follow-up planned or ended).
    event = changed.events.filter(kind=ServiceRequestEvent.Kind.STATUS_CHANGED).latest("id")
    assert event.action == action
    assert event.actor == user
    assert event.from_status == before


def test_routing_a_request_out_of_sight_returns_to_the_list(
    client, supervisor, other_technician, team_b, in_team_a
):
    client.force_login(supervisor)
    response = act(
        client, in_team_a, "assign", htmx=True, assignee=other_technician.username, team=team_b.pk
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == url("list")
    assert refreshed(in_team_a).assignee == other_technician
    assert "Assign: done." in flashed(response)


def test_assign_offers_only_people_who_can_work(
    client, agent, technician, analyst, customer_user, in_team_a
):
    client.force_login(agent)
    response = client.get(url("detail", in_team_a.number))
    assign = next(f for f in response.context["actions"] if f.transition.name == "assign")
    offered = set(assign.fields["assignee"].queryset)
    assert {agent, technician} <= offered
    assert analyst not in offered
    assert customer_user not in offered
    refused = act(client, in_team_a, "assign", assignee=analyst.username)
    assert refused.status_code == 302
    assert refreshed(in_team_a).status == S.NEW


def test_missing_input_is_shown_in_the_panel_and_changes_nothing(client, agent, in_team_a):
    client.force_login(agent)
    response = act(client, in_team_a, "cancel", htmx=True, reason="  ")
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#act-cancel-errors"
    assert response["HX-Reswap"] == "innerHTML"
    assert "Give a reason." in response.content.decode()
    assert refreshed(in_team_a).status == S.NEW

    response = act(client, in_team_a, "cancel", reason="")
    assert response.status_code == 302
    assert "Give a reason." in " ".join(flashed(response))
    assert refreshed(in_team_a).status == S.NEW


def test_stale_version_is_a_conflict_and_changes_nothing(client, agent, technician, in_team_a):
    shown = move_to(in_team_a, S.ASSIGNED, by=agent, assignee=technician)
    # Someone else starts the work after the page was shown.
    services.service_request_act(shown, "start", by=technician)
    events = shown.events.count()
    client.force_login(agent)

    response = act(client, shown, "resolve", htmx=True, resolution="Fixed")
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this request" in body
    assert url("detail", shown.number) in body  # the way to reload it
    current = refreshed(shown)
    assert current.status == S.IN_PROGRESS
    assert current.resolution == ""
    assert current.events.count() == events

    response = act(client, shown, "resolve", resolution="Fixed")
    assert response.status_code == 302
    assert "Someone else changed this request" in " ".join(flashed(response))
    assert refreshed(shown).status == S.IN_PROGRESS


def test_action_not_possible_in_this_state_is_refused(client, agent, in_team_a):
    client.force_login(agent)
    response = act(client, in_team_a, "close", htmx=True)
    assert response.status_code == 409
    assert "not possible" in response.content.decode()
    assert refreshed(in_team_a).status == S.NEW


def test_action_not_allowed_to_this_user_is_forbidden(client, technician, in_team_a):
    client.force_login(technician)
    response = act(client, in_team_a, "assign", htmx=True, assignee=technician.username)
    assert response.status_code == 403
    assert refreshed(in_team_a).status == S.NEW


def test_unknown_action_is_not_found(client, agent, in_team_a):
    client.force_login(agent)
    assert act(client, in_team_a, "explode").status_code == 404


def test_mutating_urls_refuse_get(client, agent, in_team_a):
    client.force_login(agent)
    for path in (
        url("act", in_team_a.number, "start"),
        url("comment", in_team_a.number),
        url("edit", in_team_a.number),
    ):
        assert client.get(path).status_code == 405
    assert refreshed(in_team_a).version == in_team_a.version


# --- Comments and classification ------------------------------------------------------


def test_agent_adds_reply_and_internal_note_with_attachments(client, agent, in_team_a):
    client.force_login(agent)
    response = client.post(
        url("comment", in_team_a.number),
        {
            "body": "Photo of the unit",
            "is_internal": "on",
            "attachments": [png("a.png"), png("b.png")],
        },
        **HTMX,
    )
    assert response.status_code == 200
    note = Comment.objects.get(request=in_team_a)
    assert note.is_internal
    assert note.attachments.count() == 2
    assert in_team_a.events.filter(kind=ServiceRequestEvent.Kind.NOTE_ADDED).exists()
    assert "Photo of the unit" in response.content.decode()

    response = client.post(url("comment", in_team_a.number), {"body": "We are on it"})
    assert response.status_code == 302
    reply = Comment.objects.filter(request=in_team_a).latest("id")
    assert not reply.is_internal
    assert refreshed(in_team_a).first_responded_at is not None


def test_empty_comment_or_bad_file_is_refused(client, agent, in_team_a):
    client.force_login(agent)
    response = client.post(url("comment", in_team_a.number), {"body": ""}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#comment-errors"
    script = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(
        url("comment", in_team_a.number), {"body": "see file", "attachments": [script]}, **HTMX
    )
    assert response.status_code == 400
    assert "not a photo" in response.content.decode()
    assert not Comment.objects.filter(request=in_team_a).exists()


def test_customer_cannot_write_internal_notes(client, customer_user, in_team_a):
    client.force_login(customer_user)
    client.post(url("comment", in_team_a.number), {"body": "Any news?", "is_internal": "on"})
    comment = Comment.objects.get(request=in_team_a)
    assert not comment.is_internal


def test_edit_classification_records_the_changes(client, agent, team_b, in_team_a):
    client.force_login(agent)
    response = client.post(
        url("edit", in_team_a.number),
        {
            "version": in_team_a.version,
            "title": "Compressor noise at night",
            "kind": "repair",
            "category": "product_quality",
            "impact": "high",
            "urgency": "high",
            "team": team_b.pk,
            "description": in_team_a.description,
        },
    )
    assert response.status_code == 302
    changed = refreshed(in_team_a)
    assert changed.title == "Compressor noise at night"
    assert changed.priority == "urgent"
    assert changed.team == team_b
    event = changed.events.get(kind=ServiceRequestEvent.Kind.UPDATED)
    assert set(event.changes) == {"title", "category", "impact", "urgency", "team", "priority"}


def test_edit_with_stale_version_is_a_conflict(client, agent, in_team_a):
    services.service_request_update(
        in_team_a, by=agent, data={"title": "Changed elsewhere"}, expected_version=None
    )
    client.force_login(agent)
    response = client.post(
        url("edit", in_team_a.number),
        {
            "version": in_team_a.version,
            "title": "Mine",
            "kind": "repair",
            "category": "other",
            "impact": "medium",
            "urgency": "medium",
        },
        **HTMX,
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#edit-errors"
    assert refreshed(in_team_a).title == "Changed elsewhere"


# --- Attachments ----------------------------------------------------------------------


def test_attachment_downloads_only_for_those_who_may_see_it(
    client, agent, customer_user, other_customer_user, other_technician, in_team_a
):
    public = services.comment_add(
        in_team_a, by=agent, body="Manual", internal=False, uploads=[png("manual.png")]
    ).attachments.get()
    internal = services.comment_add(
        in_team_a, by=agent, body="Invoice", internal=True, uploads=[png("invoice.png")]
    ).attachments.get()

    client.force_login(customer_user)
    response = client.get(url("attachment", in_team_a.number, public.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert client.get(url("attachment", in_team_a.number, internal.pk)).status_code == 404

    for stranger in (other_customer_user, other_technician):
        client.force_login(stranger)
        assert client.get(url("attachment", in_team_a.number, public.pk)).status_code == 404

    client.force_login(agent)
    assert client.get(url("attachment", in_team_a.number, internal.pk)).status_code == 200


def test_attachment_of_another_request_is_not_found(client, agent, in_team_a, in_team_b):
    attachment = services.attachment_add(in_team_b, by=agent, upload=png(), internal=False)
    client.force_login(agent)
    assert client.get(url("attachment", in_team_a.number, attachment.pk)).status_code == 404
    assert Attachment.objects.count() == 1


# --- Intake ---------------------------------------------------------------------------


def _intake(**overrides) -> dict:
    data = {
        "phone": "13700137000",
        "customer_name": "王五",
        "customer_email": "",
        "title": "Washing machine leaks",
        "description": "Water under the machine after each wash.",
        "kind": "repair",
        "category": "product_quality",
        "impact": "medium",
        "urgency": "high",
        "channel": "phone",
        "received_at": "",
    }
    return data | overrides


def test_new_request_page_defaults_to_a_call_now_in_the_users_time_zone(client, agent):
    client.force_login(agent)
    with time_machine.travel(datetime.datetime(2026, 1, 5, 2, 30, tzinfo=datetime.UTC)):
        response = client.get(url("new"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-01-05T10:30"' in body  # 02:30 UTC is 10:30 in Asia/Shanghai
    assert response.context["form"]["channel"].value() == "phone"


def test_received_at_is_read_in_the_users_own_time_zone(client, agent):
    agent.time_zone = "Europe/Berlin"
    agent.save(update_fields=["time_zone"])
    client.force_login(agent)
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)):
        response = client.post(url("new"), _intake(received_at="2026-01-05T09:30"))
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    # 09:30 in Berlin (UTC+1 in winter) is 08:30 UTC, half an hour before "now".
    assert created.received_at == datetime.datetime(2026, 1, 5, 8, 30, tzinfo=datetime.UTC)


def test_new_request_for_a_new_customer(client, agent):
    client.force_login(agent)
    response = client.post(url("new"), _intake(attachments=[png()]), follow=True)
    created = ServiceRequest.objects.get()
    assert response.redirect_chain[-1][0] == url("detail", created.number)
    assert created.number in " ".join(str(m) for m in response.context["messages"])
    assert created.customer.name == "王五"
    assert created.customer.phone_key == "13700137000"
    assert created.channel == "phone"
    assert created.recorded_by == agent
    assert created.priority == "high"
    assert created.attachments.count() == 1


def test_new_request_for_a_customer_found_by_phone(client, agent, customer_a):
    product = Product.objects.create(model="XQG-80", name="洗衣机")
    unit = Unit.objects.create(product=product, customer=customer_a, serial_number="WM-42")
    client.force_login(agent)
    data = _intake(phone="138 0013 8000", customer_name="", unit=unit.pk)
    response = client.post(url("new"), data)
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.customer == customer_a
    assert created.unit == unit
    assert created.product == product
    assert created.serial_number == "WM-42"
    assert Customer.objects.count() == 1


def test_new_request_rejects_a_future_received_at_and_saves_nothing(client, agent):
    client.force_login(agent)
    later = (timezone.now().astimezone(SHANGHAI) + datetime.timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    response = client.post(url("new"), _intake(received_at=later))
    assert response.status_code == 400
    assert response.context["form"].errors["received_at"] == [
        "The time received cannot be in the future."
    ]
    assert 'id="id_received_at-error"' in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert not Customer.objects.filter(name="王五").exists()


def test_new_request_needs_a_title_and_a_way_to_reach_the_customer(client, agent):
    client.force_login(agent)
    response = client.post(url("new"), _intake(title="", phone="", customer_name=""))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "title" in errors
    assert "phone" in errors
    assert not ServiceRequest.objects.exists()


def test_customer_lookup_matches_the_normalised_phone(client, agent, customer_a, customer_b):
    product = Product.objects.create(model="KFR-26", name="空调")
    Unit.objects.create(product=product, customer=customer_a, serial_number="AC-777")
    client.force_login(agent)
    response = client.get(url("customer_lookup"), {"phone": "１３８ ００１３ ８０００"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="customer-matches"')
    assert customer_a.name in body
    assert f'name="customer" value="{customer_a.pk}"' in body
    assert "AC-777" in body
    assert customer_b.name not in body
    # Without JavaScript the look-up shows the whole form with the matches.
    page = client.get(url("customer_lookup"), {"phone": "+86 13800138000"}).content.decode()
    assert "<html" in page
    assert customer_a.name in page


def test_customer_lookup_needs_a_few_digits(client, agent, customer_a):
    client.force_login(agent)
    body = client.get(url("customer_lookup"), {"phone": "13"}, **HTMX).content.decode()
    assert customer_a.name not in body


def test_lookup_button_without_javascript_keeps_what_was_typed(client, agent, customer_a):
    client.force_login(agent)
    response = client.post(url("new"), _intake(phone="13800138000", lookup="1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert customer_a.name in body
    assert "Washing machine leaks" in body
    assert not ServiceRequest.objects.exists()


def test_intake_pages_are_for_staff_who_record_requests(client, customer_user, analyst):
    for user in (customer_user, analyst):
        client.force_login(user)
        assert client.get(url("new")).status_code == 403
        assert client.get(url("customer_lookup"), {"phone": "1380013"}).status_code == 403


# --- Navigation -----------------------------------------------------------------------


def test_navigation_links(client, agent, admin_user):
    client.force_login(agent)
    body = client.get(url("list")).content.decode()
    assert f'href="{url("new")}"' in body
    assert f'href="{reverse("api:docs")}"' in body
    assert f'href="{reverse("admin:index")}"' not in body
    client.force_login(admin_user)
    body = client.get(url("list")).content.decode()
    assert f'href="{reverse("admin:index")}"' in body
