import datetime

import pytest
import time_machine
from django.utils import timezone

from aftersales.accounts.models import Team, User
from aftersales.complaints.demo import complaints_demo_seed
from aftersales.complaints.models import Agreement, Complaint
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint_agent(complaints_team):
    user = User(username="agent3", role=User.Role.AGENT, first_name="agent3")
    user.save()
    user.teams.set([complaints_team])
    return user


def test_demo_complaints_show_each_step(
    agent, complaint_agent, complaint_lead, customer_a, product, warehouse_user
):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5)):
        for index in range(7):
            make_request(by=agent, customer=customer_a, kind="complaint", title=f"投诉 {index}")
    # Too recent to have gone anywhere yet: left alone.
    fresh = make_request(by=agent, customer=customer_a, kind="complaint", title="今天的投诉")

    assert complaints_demo_seed() == 6

    complaints = Complaint.objects.select_related("request").order_by("request__received_at")
    assert [c.stage for c in complaints] == [
        "satisfied",  # closed after the customer's satisfaction
        "satisfied",
        "implementing",
        "offered",
        "proposing",  # the proposal waits for the supervisor
        "registered",
    ]
    assert [c.request.status for c in complaints] == [
        "closed",
        "resolved",
        "in_progress",
        "pending_customer",
        "pending_approval",
        "new",
    ]
    assert not Complaint.objects.filter(request=fresh).exists()
    assert {c.recorded_by.username for c in complaints} == {"agent3"}
    assert {c.request.team.kind for c in complaints} == {Team.Kind.COMPLAINTS}
    # Signed on the portal, with a drawn signature.
    assert Agreement.objects.count() == 3
    assert set(Agreement.objects.values_list("method", flat=True)) == {"portal"}
    # The tasks are under way, the shipments carry their tracking numbers.
    implementing = complaints[2].request
    assert sorted(implementing.tasks.values_list("team__kind", "status")) == [
        ("marketing", "open"),
        ("warehouse", "in_progress"),
    ]
    shipped = complaints[1].request.tasks.get()
    assert shipped.status == "done" and shipped.reference.startswith("SF")
    # The departments the remedies go to exist.
    assert Team.objects.filter(kind=Team.Kind.FINANCE).exists()

    # Again: nothing left to register among the old ones.
    assert complaints_demo_seed() == 1  # the seventh old request
    assert ServiceRequest.objects.filter(kind="complaint", complaint__isnull=True).count() == 1


def test_without_a_complaint_team_the_demo_makes_none(agent, customer_a, product):
    make_request(by=agent, customer=customer_a, kind="complaint")
    assert complaints_demo_seed() == 0
    assert not Complaint.objects.exists()
