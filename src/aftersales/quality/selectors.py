"""Reading problem records for a user (always through `access.visible_to`), and the usage
questions that feed training."""

import datetime
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from aftersales.accounts.models import User
from aftersales.quality import access
from aftersales.quality.models import ACTIVE, ProblemAction, ProblemLink, ProblemRecord
from aftersales.service_requests.models import ServiceRequest


def problem_list(user: User) -> QuerySet[ProblemRecord]:
    return (
        access.visible_to(user)
        .select_related("team", "opened_by")
        .prefetch_related("products", "batches")
        .annotate(
            request_count=Count("links", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def problem_get_for_user(user: User, number: str) -> ProblemRecord:
    problem = (
        access.visible_to(user)
        .select_related("team__supervisor", "opened_by", "verified_by")
        .prefetch_related(
            "products",
            "batches__product",
            "actions__owner",
            "actions__done_by",
            Prefetch(
                "links",
                queryset=ProblemLink.objects.select_related(
                    "request__product", "linked_by"
                ).order_by("request__received_at", "id"),
            ),
        )
        .filter(number=number)
        .first()
    )
    if problem is None:
        raise Http404("No such problem record.")
    return problem


def problems_of_request(user: User, request_id: int) -> QuerySet[ProblemRecord]:
    return (
        access.visible_to(user)
        .filter(links__request_id=request_id)
        .select_related("team")
        .order_by("-created_at", "-id")
    )


def open_problems_for_batches(pairs: list[tuple[int, str]]) -> dict[tuple[int, str], ProblemRecord]:
    """Active records that already cover a (product, batch): the spikes page links to them
    instead of offering to open another."""
    if not pairs:
        return {}
    found: dict[tuple[int, str], ProblemRecord] = {}
    batches = {batch for _product, batch in pairs}
    records = (
        ProblemRecord.objects.filter(status__in=ACTIVE, batches__batch_number__in=batches)
        .prefetch_related("products", "batches")
        .distinct()
        .order_by("-created_at")
    )
    for record in records:
        product_ids = {p.pk for p in record.products.all()}
        for batch in record.batches.all():
            for pair in pairs:
                product_matches = not product_ids or pair[0] in product_ids
                if pair[1] == batch.batch_number and product_matches:
                    found.setdefault(pair, record)
    return found


def problems_open_for_teams(teams: list[int] | None) -> QuerySet[ProblemRecord]:
    """Active records, oldest first, with their open actions' owners (for reports, read by
    whoever may read the measures). `teams`: only the records these teams own or that
    group one of their requests; None: every record."""
    records = ProblemRecord.objects.filter(status__in=ACTIVE)
    if teams is not None:
        records = records.filter(
            Q(team_id__in=teams)
            | Q(pk__in=ProblemLink.objects.filter(request__team_id__in=teams).values("problem_id"))
        )
    return (
        records.select_related("team")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=ProblemAction.objects.filter(done_at__isnull=True)
                .select_related("owner")
                .order_by("due_on", "id"),
                to_attr="open_actions",
            )
        )
        .order_by("created_at", "id")
    )


def _fold(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).strip().casefold()
    return " ".join(text.split()).rstrip("?？。.!！")


@dataclass(frozen=True)
class UsageQuestions:
    product_id: int
    product_model: str
    product_name: str
    total: int
    top: list[tuple[str, int]]


USAGE_LIMIT = 5


def usage_questions(
    *, since: datetime.datetime, until: datetime.datetime, top: int = USAGE_LIMIT
) -> list[UsageQuestions]:
    """Per product model, the usage/operation requests received in [since, until) and their
    most frequent questions (titles folded: width, case, spaces, a final question mark),
    most asked first. What training teaches next (SPEC §2.9, seed 000 §五(三))."""
    rows = (
        ServiceRequest.objects.filter(
            category=ServiceRequest.Category.USAGE,
            product__isnull=False,
            received_at__gte=since,
            received_at__lt=until,
        )
        .exclude(status=ServiceRequest.Status.CANCELLED)
        .order_by("received_at", "id")  # a question is shown as it was first asked
        .values_list("product_id", "product__model", "product__name", "title")
    )
    per_product: dict[int, Counter[str]] = {}
    shown: dict[tuple[int, str], str] = {}
    names: dict[int, tuple[str, str]] = {}
    for product_id, model, name, title in rows.iterator():
        key = _fold(title)
        per_product.setdefault(product_id, Counter())[key] += 1
        shown.setdefault((product_id, key), title.strip())
        names[product_id] = (model, name)
    result = [
        UsageQuestions(
            product_id=product_id,
            product_model=names[product_id][0],
            product_name=names[product_id][1],
            total=sum(counter.values()),
            top=[(shown[(product_id, key)], n) for key, n in counter.most_common(top)],
        )
        for product_id, counter in per_product.items()
    ]
    result.sort(key=lambda u: (-u.total, u.product_model))
    return result
