"""Keeping the search index in step with the requests.

- search_document_update: rebuild one request's tokens (same transaction as the change)
- search_index_rebuild: rebuild every request's tokens in batches (after a bulk load)
"""

from collections.abc import Iterable

from django.db import transaction

from aftersales.search import tokens
from aftersales.search.models import SearchDocument
from aftersales.service_requests.models import Comment, ServiceRequest


def _texts(request: ServiceRequest) -> list[str]:
    customer = request.customer
    product = request.product
    return [
        request.number,
        request.title,
        request.description,
        request.contact_name,
        request.contact_phone,
        request.contact_email,
        request.organisation,
        request.address,
        request.serial_number,
        request.batch_number,
        customer.name,
        customer.phone,
        customer.email,
        customer.organisation,
        product.model if product else "",
        product.name if product else "",
        request.resolution,
    ]


def _documents(request: ServiceRequest, comments: Iterable[Comment]) -> tuple[str, str]:
    public = [c.body for c in comments if not c.is_internal]
    internal = [c.body for c in comments if c.is_internal]
    return (
        tokens.index_document(*_texts(request), *public),
        tokens.index_document(*internal),
    )


def search_document_update(*, request_id: int) -> None:
    request = ServiceRequest.objects.select_related("customer", "product").get(pk=request_id)
    public, internal = _documents(request, request.comments.all())
    SearchDocument.objects.update_or_create(
        request=request, defaults={"public": public, "internal": internal}
    )


def search_index_rebuild(*, batch_size: int = 2000) -> int:
    """Rebuild the whole index; returns the number of requests indexed."""
    done = 0
    last_id = 0
    while True:
        batch = list(
            ServiceRequest.objects.select_related("customer", "product")
            .filter(pk__gt=last_id)
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return done
        comments: dict[int, list[Comment]] = {}
        for comment in Comment.objects.filter(request_id__in=[r.pk for r in batch]):
            comments.setdefault(comment.request_id, []).append(comment)
        with transaction.atomic():
            SearchDocument.objects.filter(request_id__in=[r.pk for r in batch]).delete()
            rows = []
            for request in batch:
                public, internal = _documents(request, comments.get(request.pk, []))
                rows.append(SearchDocument(request=request, public=public, internal=internal))
            SearchDocument.objects.bulk_create(rows)
        done += len(batch)
        last_id = batch[-1].pk
