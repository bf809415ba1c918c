from typing import Any

from django.dispatch import receiver

from aftersales.search import services
from aftersales.service_requests import signals


@receiver(signals.request_changed, dispatch_uid="search_document_update")
def update_search_document(sender: Any, *, request_id: int, **kwargs: Any) -> None:
    services.search_document_update(request_id=request_id)
