"""Recomputing many open requests after an SLA change: in batches, the same answer as one
by one, with a number of queries that does not grow with the batch."""

import datetime
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.service_requests import deadlines, services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request
from aftersales.sla.models import SlaPolicy, SlaTarget

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def test_batches_agree_with_the_history_and_count_changes(
    agent, technician, customer_a, time_machine
):
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    requests = [make_request(by=agent, customer=customer_a) for _ in range(5)]
    waiting = services.service_request_act(
        requests[0], "assign", by=agent, data={"assignee": technician}
    )
    waiting = services.service_request_act(waiting, "start", by=technician)
    time_machine.move_to(local(2026, 11, 2, 11, 0), tick=False)
    waiting = services.service_request_act(
        waiting, "wait-customer", by=technician, data={"note": "等照片"}
    )
    time_machine.move_to(local(2026, 11, 2, 15, 0), tick=False)
    services.service_request_act(waiting, "start", by=technician)
    # Medium requests get 16 working hours instead of 24.
    standard = SlaPolicy.objects.get(name="标准")
    SlaTarget.objects.filter(policy=standard, priority="medium").update(resolution_minutes=16 * 60)

    assert services.due_times_recompute(batch_size=2) == 5
    for request in ServiceRequest.objects.all():
        expected = ServiceRequest.objects.get(pk=request.pk)
        deadlines.apply_due_times(expected, pauses=deadlines.pauses_of(expected))
        assert request.resolution_due_at == expected.resolution_due_at
    paused = ServiceRequest.objects.get(pk=waiting.pk)
    # Mon 10:00 + 16 working hours = Wed 10:00, plus the 3 working hours waited (11–12, 13–15):
    # Wed 10–12 and, after lunch, 13–14.
    assert paused.resolution_due_at == local(2026, 11, 4, 14, 0)
    assert paused.events.filter(kind="updated", actor__isnull=True).count() == 1
    assert services.due_times_recompute() == 0  # nothing changes a second time


def test_queries_do_not_grow_with_the_number_of_requests(agent, customer_a):
    for _ in range(3):
        make_request(by=agent, customer=customer_a)
    with CaptureQueriesContext(connection) as few:
        services.due_times_recompute()
    for _ in range(20):
        make_request(by=agent, customer=customer_a)
    with CaptureQueriesContext(connection) as many:
        services.due_times_recompute()
    assert len(many.captured_queries) == len(few.captured_queries)
