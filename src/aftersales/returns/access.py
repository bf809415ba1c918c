"""Who may see and run returns (RMA): the one place these rules live.

- agents, supervisors (of the request's team, or of unrouted requests) and admins decide and
  run them (`service_requests.access.dispatches`); a refund above the configured amount
  needs a supervisor of the request (`supervises`);
- whoever works the request (its technician) records the inspection;
- warehouse staff (department staff in a team of kind warehouse) record receipt and the
  shipments both ways, for any request: the parcel arrives whoever handles the request;
- the customer sees their own authorisation without staff notes, and may tell us the
  carrier and tracking number of their parcel.

Seeing an authorisation follows seeing its request, except for warehouse staff, who see
them all (and only the logistics of the request behind it).
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.parts.access import is_warehouse_staff
from aftersales.returns.models import ReturnAuthorisation
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def visibility_filter(user: User) -> Q | None:
    """A filter on ReturnAuthorisation for what `user` may see; None means everything."""
    if not _active(user):
        return Q(pk__in=[])
    if is_warehouse_staff(user):
        return None
    condition = request_access.visibility_filter(user)
    if condition is None:
        return None
    return Q(request__in=ServiceRequest.objects.filter(condition).values("pk"))


def visible_to(user: User, queryset: QuerySet[ReturnAuthorisation] | None = None):  # type: ignore[no-untyped-def]
    qs = ReturnAuthorisation.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def sees_internals(user: User) -> bool:
    """Staff see the notes, who did what and the eligibility reasoning; customers do not."""
    return request_access.is_staff(user)


def can_decide(user: User, request: ServiceRequest) -> bool:
    """Authorise (or refuse) a return on this request."""
    return _active(user) and request_access.dispatches(user, request)


def can_grant_exception(user: User, request: ServiceRequest) -> bool:
    """Grant what the return terms do not give (a goodwill refund or replacement)."""
    return _active(user) and request_access.supervises(user, request)


def can_run(user: User, rma: ReturnAuthorisation) -> bool:
    """Record refunds and replacements, and cancel."""
    return can_decide(user, rma.request)


def can_handle_logistics(user: User, rma: ReturnAuthorisation) -> bool:
    """Record the shipments both ways and the receipt."""
    return can_run(user, rma) or is_warehouse_staff(user)


def can_record_shipment_in(user: User, rma: ReturnAuthorisation) -> bool:
    """The customer tells us their parcel's tracking number; staff record it for them."""
    return can_handle_logistics(user, rma) or request_access.owns(user, rma.request)


def can_inspect(user: User, rma: ReturnAuthorisation) -> bool:
    return _active(user) and request_access.works_on(user, rma.request)


def refund_needs_supervisor(amount: Decimal) -> bool:
    return amount > settings.RMA_REFUND_SUPERVISOR_ABOVE


def can_refund(user: User, rma: ReturnAuthorisation, amount: Decimal) -> bool:
    if not can_run(user, rma):
        return False
    return not refund_needs_supervisor(amount) or request_access.supervises(user, rma.request)


def can_see_any(user: User) -> bool:
    """The list page and list API: staff, and customers (their own)."""
    return _active(user)
