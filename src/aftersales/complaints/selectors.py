"""Reads of complaints, scoped by who asks (404 for what one may not see)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from aftersales.accounts.models import User
from aftersales.complaints import access
from aftersales.complaints.models import Complaint, Proposal, ProposalStatus, RemedyLine
from aftersales.service_requests.models import ServiceRequest

CENT = Decimal("0.01")
RELATED = ("request", "request__customer", "request__team", "recorded_by", "product", "unit")


def complaint_list(user: User) -> QuerySet[Complaint]:
    return access.visible_to(user).select_related(*RELATED)


def complaint_list_unscoped() -> QuerySet[Complaint]:
    """Only for answering the person who just registered a complaint."""
    return Complaint.objects.select_related(*RELATED)


def complaint_get_for_user(user: User, pk: int) -> Complaint:
    complaint = (
        complaint_list(user)
        .prefetch_related(
            "contacts__contacted_by",
            "related_requests",
            "satisfaction_answers",
            Prefetch(
                "proposals",
                queryset=Proposal.objects.select_related(
                    "proposed_by", "decided_by", "agreement"
                ).prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=RemedyLine.objects.select_related(
                            "part", "product", "task", "task__assignee", "task__team"
                        ),
                    )
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise Http404("No such complaint.")
    return complaint


def complaint_for_request(request: ServiceRequest) -> Complaint | None:
    return Complaint.objects.filter(request_id=request.pk).first()


def proposal_get_for_user(user: User, pk: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("complaint__request__customer", "proposed_by")
        .filter(complaint__in=access.visible_to(user).values("pk"), pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


def current_proposal(complaint: Complaint) -> Proposal | None:
    """The newest proposal (the one being worked on, decided, offered or carried out)."""
    return complaint.proposals.order_by("-number").first()


def waiting_for_approval(user: User) -> QuerySet[Proposal]:
    """Submitted proposals that `user` may decide (never their own, unless admin)."""
    rows = (
        Proposal.objects.filter(
            status=ProposalStatus.SUBMITTED, complaint__in=access.visible_to(user).values("pk")
        )
        .select_related(
            "complaint__request",
            "complaint__request__team",
            "complaint__request__customer",
            "proposed_by",
        )
        .prefetch_related("lines")
    )
    return rows.order_by("submitted_at", "id")


def proposals_to_decide(user: User) -> list[Proposal]:
    """The submitted proposals `user` may approve or send back, oldest first: the
    complaints' part of a supervisor's "waiting for my approval" queue."""
    return [p for p in waiting_for_approval(user) if access.can_decide(user, p)]


def remedy_totals(queryset: QuerySet[Complaint], currency: str | None = None) -> dict[str, Decimal]:
    """Totals by remedy kind of the accepted (agreed) proposals of these complaints, for
    reports: {kind: Decimal}, kinds without any line left out.

    Only proposals in `currency` (the configured CURRENCY by default) are summed: a
    proposal keeps the currency it was made in, and amounts in two currencies do not add up.
    """
    rows = (
        RemedyLine.objects.filter(
            proposal__status=ProposalStatus.ACCEPTED,
            proposal__currency=currency or settings.CURRENCY,
            proposal__complaint__in=queryset.values("pk"),
        )
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by("kind")
    )
    # SQLite sums decimals as floating point (0.1 + 0.2 comes back as 0.300000000000000):
    # every total is brought back to the cent, as the amounts themselves are.
    return {row["kind"]: Decimal(row["total"]).quantize(CENT) for row in rows}
