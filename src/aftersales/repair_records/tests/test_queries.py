"""The card, the records list and a unit's history cost the same number of queries however
many records, parts and requests they show."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from aftersales.repair_records.tests.factories import make_record
from aftersales.service_requests.tests.factories import make_request


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add(sr, technician, count: int) -> None:
    for index in range(count):
        make_record(
            sr,
            by=technician,
            parts=[
                {"part_number": f"P-{index}-{n}", "old_serial": "A", "new_serial": "B"}
                for n in range(2)
            ],
        )


def test_the_request_page_does_not_grow_with_records(sr, technician):
    client = Client(headers={"accept-language": "en"})
    client.force_login(technician)
    page = reverse("service_requests:detail", args=[sr.number])
    _add(sr, technician, 1)
    one = _queries(lambda: client.get(page))
    _add(sr, technician, 3)
    assert _queries(lambda: client.get(page)) == one


def test_the_records_api_does_not_grow_with_records(sr, technician):
    client = APIClient()
    client.force_authenticate(technician)
    url = f"/api/v1/service-requests/{sr.number}/repair-records/"
    _add(sr, technician, 1)
    client.get(url)  # the user's teams are read once per user object
    one = _queries(lambda: client.get(url))
    _add(sr, technician, 3)
    assert _queries(lambda: client.get(url)) == one


def test_a_units_history_does_not_grow_with_requests(
    sr, agent, technician, customer_a, team_a, unit
):
    client = APIClient()
    client.force_authenticate(agent)
    url = f"/api/v1/units/{unit.pk}/history/"
    page = Client(headers={"accept-language": "en"})
    page.force_login(agent)
    history = reverse("unit_history:history", args=[unit.serial_number])
    _add(sr, technician, 1)
    client.get(url)  # the user's teams are read once per user object
    one, one_page = _queries(lambda: client.get(url)), _queries(lambda: page.get(history))
    for _ in range(3):
        _add(make_request(by=agent, customer=customer_a, team=team_a, unit=unit), agent, 2)
    assert _queries(lambda: client.get(url)) == one
    assert _queries(lambda: page.get(history)) == one_page
