import datetime
import re
from io import StringIO

from django.core.management import call_command
from django.db.models import Max

from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from aftersales.search.selectors import search_filter
from aftersales.service_requests import numbering
from aftersales.service_requests.models import (
    ServiceNumberCounter,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.service_requests.tests.factories import make_request


def test_seed_bulk_adds_requests_with_unique_numbers_that_search_finds(db):
    out = StringIO()
    call_command("seed_bulk", "--count", "500", stdout=out)

    requests = ServiceRequest.objects.all()
    assert requests.count() == 500
    numbers = list(requests.values_list("number", flat=True))
    assert len(set(numbers)) == 500
    assert all(re.fullmatch(r"SR-\d{8}-\d{4,}", n) for n in numbers)
    # Each day's counter stands at that day's highest number.
    for counter in ServiceNumberCounter.objects.all():
        prefix = f"SR-{counter.day:%Y%m%d}-"
        top = requests.filter(number__startswith=prefix).aggregate(top=Max("number"))["top"]
        assert top == numbering.format_number(counter.day, counter.last)
    assert ServiceRequestEvent.objects.filter(kind="created").count() == 500
    assert set(requests.values_list("status", flat=True)) >= {"new", "closed"}
    found = search_filter(requests, "制冷", include_internal=False)
    assert 0 < found.count() < 500
    for request in found[:50]:
        public = [request.title, request.description, request.resolution]
        public += [c.body for c in request.comments.filter(is_internal=False)]
        assert "制冷" in " ".join(public)
    assert "500" in out.getvalue()


def test_requests_filed_after_a_bulk_load_continue_ids_and_numbers(db):
    call_command("seed_bulk", "--count", "300", "--days", "30", stdout=StringIO())
    top_id = ServiceRequest.objects.aggregate(top=Max("id"))["top"]
    agent = User.objects.get(username="bulk-agent-1")
    customer = Customer.objects.order_by("id").first()
    made = make_request(by=agent, customer=customer)
    assert made.pk == top_id + 1
    today = numbering.local_day(made.received_at)
    counter = ServiceNumberCounter.objects.get(day=today)
    assert made.number == numbering.format_number(today, counter.last)
    assert ServiceRequest.objects.filter(number=made.number).count() == 1
    assert (
        made.received_at - datetime.timedelta(days=31)
        < ServiceRequest.objects.order_by("received_at").first().received_at
    )
