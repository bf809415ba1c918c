"""The columns of the follow-up queue export (CSV and XLSX), defined once; rows come from
the same queue selector as the page and the API."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.exports import CHUNK, Column, service_time, yes_no
from aftersales.followups.models import FollowUp

COLUMNS = [
    Column(_("Service number"), lambda f: f.request.number),
    Column(_("Customer"), lambda f: f.request.customer.name),
    Column(_("Product"), lambda f: str(f.request.product) if f.request.product else ""),
    Column(_("Round"), lambda f: f.round),
    Column(_("Method"), lambda f: f.get_method_display()),
    Column(_("Status"), lambda f: f.get_status_display()),
    Column(_("Team"), lambda f: f.team.name if f.team else ""),
    Column(_("Assignee"), lambda f: f.assignee.username if f.assignee else ""),
    Column(_("Due"), lambda f: service_time(f.due_at)),
    Column(_("Attempts"), lambda f: f.attempts),
    Column(_("Last attempt"), lambda f: service_time(f.last_attempt_at)),
    Column(_("Customer reached"), lambda f: yes_no(f.reached)),
    Column(_("Problem solved"), lambda f: yes_no(f.solved)),
    Column(_("Satisfaction with the solution"), lambda f: f.score_solution),
    Column(_("Satisfaction with the staff's attitude"), lambda f: f.score_attitude),
    Column(_("Satisfaction with the speed"), lambda f: f.score_speed),
    Column(_("Suggestions"), lambda f: f.suggestions),
    Column(_("Finished at"), lambda f: service_time(f.finished_at)),
    Column(_("Finished by"), lambda f: f.finished_by.username if f.finished_by else ""),
    Column(_("Note"), lambda f: f.note),
]


def rows(followups: QuerySet[FollowUp]) -> Iterator[FollowUp]:
    return followups.select_related("finished_by").iterator(chunk_size=CHUNK)
