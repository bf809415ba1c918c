"""Who may write repair records and record the customer's answer: the one place these rules
live. Reading follows the request: whoever sees a request sees its records (customers
without the staff's names).
"""

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

S = ServiceRequest.Status
# Records and parts may be written after the request is resolved (the record is often
# written last, as parts may still be used then), not once it is closed or cancelled.
FINISHED = (S.CLOSED, S.CANCELLED)


def sees_staff_details(user: User) -> bool:
    """Technicians' names, warehouses and reservations are for staff."""
    return request_access.is_staff(user)


def can_write(user: User, request: ServiceRequest) -> bool:
    """Whoever works on the request writes its records (SPEC §2.5)."""
    return request_access.works_on(user, request)


def accepts_records(request: ServiceRequest) -> bool:
    return request.status not in FINISHED


def can_record_phone_answer(user: User, request: ServiceRequest) -> bool:
    """Front-line staff record what the customer said on the phone: those who may reopen
    the request for them (the lifecycle's reopen rule), not the technician who did the work."""
    return request_access.is_staff(user) and request_access.dispatches(user, request)


def can_answer_as_customer(user: User, request: ServiceRequest) -> bool:
    return request_access.owns(user, request)
