"""What bulk_seed writes is fit for the measures: times in order, SLA columns as the engine
computes them, a small open backlog, a few reopened, and survey answers of resolved requests."""

import datetime
import itertools

import pytest
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from aftersales.catalog.models import Unit
from aftersales.core import bulk
from aftersales.customers.models import Customer
from aftersales.metrics import measures
from aftersales.search.models import SearchDocument
from aftersales.service_requests.models import Comment, ServiceRequest, ServiceRequestEvent
from aftersales.sla import engine
from aftersales.surveys.models import Answer, Invitation, QuestionKind, Response

S = ServiceRequest.Status
COUNT = 3000
DAYS = 120


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One load for the module's tests (read only), undone after the last."""
    with django_db_blocker.unblock(), transaction.atomic():
        before = timezone.now()
        result = bulk.bulk_seed(count=COUNT, days=DAYS, seed=7)
        yield result, before, timezone.now()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Each test in its own transaction inside the module's."""


def test_every_row_written_is_counted(seeded):
    result, _before, _after = seeded
    tables = [
        Customer,
        Unit,
        ServiceRequest,
        ServiceRequestEvent,
        Comment,
        SearchDocument,
        Invitation,
        Response,
        Answer,
    ]
    assert result.requests == COUNT
    assert result.rows == sum(model.objects.count() for model in tables)


def test_times_follow_each_other(seeded):
    _result, _before, after = seeded
    requests = ServiceRequest.objects.all()
    assert not requests.filter(first_responded_at__lt=F("received_at")).exists()
    assert not requests.filter(resolved_at__lt=F("first_responded_at")).exists()
    assert not requests.filter(resolved_at__lt=F("received_at")).exists()
    assert not requests.filter(closed_at__lt=F("resolved_at")).exists()
    assert not requests.filter(cancelled_at__lt=F("received_at")).exists()
    assert not requests.filter(
        Q(received_at__gt=after) | Q(first_responded_at__gt=after) | Q(resolved_at__gt=after)
    ).exists()
    # Resolved and closed ones have their resolution time; the others none.
    assert not requests.filter(status__in=bulk.DONE, resolved_at__isnull=True).exists()
    assert not requests.exclude(status__in=bulk.DONE).filter(resolved_at__isnull=False).exists()
    assert not requests.filter(status=S.CLOSED, closed_at__isnull=True).exists()
    assert not requests.filter(status=S.CANCELLED, cancelled_at__isnull=True).exists()
    assert not requests.filter(status=S.NEW, first_responded_at__isnull=False).exists()
    assert not requests.filter(status=S.PENDING_CUSTOMER, paused_since__isnull=True).exists()
    # Received over the whole period, every day.
    zone = measures.service_zone()
    days = {
        timezone.localtime(r, zone).date() for r in requests.values_list("received_at", flat=True)
    }
    assert len(days) == DAYS


def test_due_times_are_the_engines(seeded):
    snapshot = engine.PolicySnapshot.load()
    sample = ServiceRequest.objects.order_by("id")[:: COUNT // 150]
    paused = 0
    for request in sample:
        due = engine.due_times(
            received_at=request.received_at,
            kind=request.kind,
            category=request.category,
            channel=request.channel,
            priority=request.priority,
            customer_id=request.customer_id,
            snapshot=snapshot,
        )
        assert due.target is not None
        assert request.sla_policy_id == due.target.policy_id
        assert request.first_response_calendar_id == due.target.first_response_calendar_id
        assert request.resolution_calendar_id == due.target.resolution_calendar_id
        assert request.first_response_due_at == due.first_response_due
        if request.paused_seconds:
            # The finished wait moves the resolution due time by as much business time.
            # (none if the wait came after that due time).
            clock = engine.clock_for(due.target.resolution_calendar)
            later = clock.elapsed(due.resolution_due, request.resolution_due_at)
            assert later in {0, request.paused_seconds}
            paused += later > 0
        else:
            assert request.resolution_due_at == due.resolution_due
    assert paused > 0


def test_the_measures_see_a_plausible_service(seeded):
    requests = ServiceRequest.objects.all()
    counts = dict(requests.values_list("status").annotate(n=Count("pk")))
    open_share = sum(counts.get(s, 0) for s in ServiceRequest.OPEN_STATUSES) / COUNT
    assert 0.01 < open_share < 0.12
    assert counts[S.CLOSED] > COUNT * 0.7
    assert counts.get(S.CANCELLED, 0) > 0
    assert requests.filter(reopen_count__gt=0, status__in=bulk.DONE).exists()
    # Open requests of every age bucket, not only today's.
    now = timezone.now()
    ages = {
        (now - received).days
        for received in requests.filter(status__in=ServiceRequest.OPEN_STATUSES).values_list(
            "received_at", flat=True
        )
    }
    assert min(ages) < 1 and max(ages) > 30

    today = timezone.localtime(now, measures.service_zone()).date()
    (row,) = measures.compute(today - datetime.timedelta(days=DAYS), today)
    for target in ("sla_first_response", "sla_resolution"):
        assert 70 < row[target]["percent"] < 99, target
    assert 0 < row["reopen_rate"]["percent"] < 10
    assert 60 < row["csat"]["percent"] < 95
    assert row["first_response_time"]["average_seconds"] > 0
    assert row["resolution_time"]["average_seconds"] > row["first_response_time"]["average_seconds"]
    assert row["backlog"]["days_30_plus"] > 0 and row["backlog"]["days_0_1"] > 0


def test_survey_answers_are_valid_answers_about_resolved_requests(seeded):
    _result, _before, after = seeded
    responses = Response.objects.select_related("request", "invitation")
    assert responses.filter(source="survey").count() > COUNT * 0.05
    assert responses.filter(source="phone").exists()
    for response in responses:
        request = response.request
        assert request.status in bulk.DONE
        assert request.resolved_at < response.answered_at <= after
        assert response.team_id == request.team_id
        if response.source == "survey":
            invitation = response.invitation
            assert invitation.request_id == request.pk
            assert invitation.customer_id == request.customer_id
            assert invitation.used_at == response.answered_at
            assert invitation.created_at < response.answered_at < invitation.expires_at
        else:
            assert response.invitation is None and response.recorded_by is not None
    scores = Answer.objects.filter(question__kind=QuestionKind.SCORE)
    assert scores.exists()
    assert not scores.filter(Q(score__isnull=True) | Q(score__lt=1) | Q(score__gt=5)).exists()
    assert (
        not Answer.objects.exclude(question__kind=QuestionKind.SCORE)
        .filter(score__isnull=False)
        .exists()
    )
    assert not Answer.objects.filter(question__kind=QuestionKind.YES_NO, yes__isnull=True).exists()
    # Every invitation is of a resolved request, and one customer's are 30 days apart.
    assert not Invitation.objects.exclude(request__status__in=bulk.DONE).exists()
    by_customer: dict[int, list[datetime.datetime]] = {}
    for customer_id, created in Invitation.objects.values_list("customer_id", "created_at"):
        by_customer.setdefault(customer_id, []).append(created)
    for moments in by_customer.values():
        moments.sort()
        assert all(b - a >= datetime.timedelta(days=30) for a, b in itertools.pairwise(moments))
    # Its events tell the same story.
    invited = ServiceRequestEvent.objects.filter(action="survey.invited").count()
    answered = ServiceRequestEvent.objects.filter(action="survey.answered").count()
    assert invited == Invitation.objects.count()
    assert answered == responses.filter(source="survey").count()
