from io import StringIO

from django.core.management import call_command

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Unit
from aftersales.complaints.models import Complaint
from aftersales.customers.models import Customer
from aftersales.search.selectors import search_filter
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import make_request


def test_seed_demo_fills_every_state_channel_kind_and_category_once(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()

    requests = ServiceRequest.objects.all()
    assert requests.count() == 300
    assert set(requests.values_list("status", flat=True)) == set(ServiceRequest.Status.values)
    assert set(requests.values_list("channel", flat=True)) == set(ServiceRequest.Channel.values)
    assert set(requests.values_list("kind", flat=True)) == set(ServiceRequest.Kind.values)
    assert set(requests.values_list("category", flat=True)) == set(ServiceRequest.Category.values)
    assert set(Team.objects.values_list("kind", flat=True)) >= {
        "service_desk",
        "technical",
        "field_service",
        "quality",
        "rnd",
        "training",
        "warehouse",
        "complaints",
    }
    assert set(User.objects.values_list("role", flat=True)) >= {
        "agent",
        "technician",
        "supervisor",
        "department",
        "analyst",
        "customer",
    }
    assert Customer.objects.count() == 60
    assert Unit.objects.count() == 200
    # The real lifecycle wrote the history: one "created" event each, and the transitions.
    created = ServiceRequestEvent.objects.filter(kind="created")
    assert created.count() == 300
    closed = requests.filter(status="closed").first()
    assert (
        list(closed.events.filter(kind="status_changed").values_list("to_status", flat=True))[-1]
        == "closed"
    )
    assert closed.received_at < closed.resolved_at < closed.closed_at
    assert requests.filter(reopen_count__gt=0).exists()
    # Complaints registered and left at each step (complaints.demo).
    assert set(Complaint.objects.values_list("stage", flat=True)) == {
        "registered",
        "proposing",
        "offered",
        "implementing",
        "satisfied",
    }
    # Every account was printed with a password that works.
    for username in ("agent1", "tech1", "lead1", "qc1", "analyst1", "cust1"):
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert User.objects.get(username=username).check_password(line.split()[-1])

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert ServiceRequest.objects.count() == 300
    assert User.objects.filter(username="agent1").count() == 1
    assert "agent1" not in again.getvalue()

    # The search index was built, and keeps following changes after the seeding.
    everything = ServiceRequest.objects.all()
    assert search_filter(everything, "制冷", include_internal=False).exists()
    assert search_filter(everything, "不制冷了", include_internal=False).exists()
    agent = User.objects.get(username="agent1")
    customer = Customer.objects.order_by("id").first()
    made = make_request(by=agent, customer=customer, title="冰箱冷藏室结霜", description="")
    assert list(search_filter(everything, "结霜", include_internal=False)) == [made]
