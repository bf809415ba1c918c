"""Monthly service reports (SPEC §2.10; issue 7).

- monthly_report_generate: make the report of a month, scope and language (again), replacing
  the stored one
- monthly_report_get_or_generate: the stored report, made if missing or if it was made before
  its month ended
- monthly_reports_send: the scheduled run for the previous month: the whole service's report
  to analysts and administrators, each supervisor's teams' report to them, each in the
  reader's language, mailed through the outbox with the PDF attached, once per person and
  month however often it runs
"""

import datetime
import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.notifications import services as notifications
from aftersales.reports import access, content, pdf
from aftersales.reports.models import LANGUAGES, MonthlyReport, scope_key

log = logging.getLogger(__name__)
EARLIEST = datetime.date(1970, 1, 1)


def language_of(user: User) -> str:
    """The language `user` reads reports in: theirs if the report has it, else the
    service's default."""
    chosen = (user.language or "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    default = settings.LANGUAGE_CODE.lower()
    return default if default in LANGUAGES else "zh-hans"


def check_month(month: datetime.date, *, now: datetime.datetime | None = None) -> datetime.date:
    """The month's first day; DomainError naming `month` for a month not begun yet."""
    first = content.month_first(month)
    if first > content.current_month(now) or first < EARLIEST:
        raise DomainError(
            _("Choose a month between 1970-01 and this month."),
            fields={"month": [_("Choose a month between 1970-01 and this month.")]},
        )
    return first


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        message = _("Choose one of: %(languages)s.") % {"languages": ", ".join(LANGUAGES)}
        raise DomainError(message, fields={"language": [message]})
    return language


def _store(
    first: datetime.date,
    *,
    teams: list[int] | None,
    language: str,
    data: bytes,
    by: User | None,
    now: datetime.datetime,
) -> MonthlyReport:
    key = scope_key(teams)
    name = default_storage.save(f"reports/{first:%Y/%m}/{uuid.uuid4().hex}.pdf", ContentFile(data))
    fields = {
        "teams": None if teams is None else sorted(set(teams)),
        "file": name,
        "size": len(data),
        "generated_at": now,
        "generated_by": by,
    }
    try:
        # Twice at most: a report written by someone else between our look and our insert
        # is then found and replaced.
        for attempt in range(2):
            try:
                with transaction.atomic():
                    report = (
                        MonthlyReport.objects.select_for_update()
                        .filter(month=first, scope_key=key, language=language)
                        .first()
                    )
                    if report is None:
                        report = MonthlyReport.objects.create(
                            month=first, scope_key=key, language=language, **fields
                        )
                        return report
                    replaced = report.file.name
                    for field_name, value in fields.items():
                        setattr(report, field_name, value)
                    report.save()
                    transaction.on_commit(lambda name=replaced: default_storage.delete(name))
                    return report
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
    except Exception:
        default_storage.delete(name)
        raise


def monthly_report_generate(
    month: datetime.date,
    *,
    teams: list[int] | None,
    language: str,
    by: User | None,
    now: datetime.datetime | None = None,
) -> MonthlyReport:
    """Make the report of `month` for `teams` (None: the whole service) in `language` and
    store it in place of the one before. DomainError naming `month` or `language`."""
    now = now or timezone.now()
    first = check_month(month, now=now)
    _check_language(language)
    made = content.collect(first, teams=teams, language=language, now=now)
    data = pdf.render(made)
    return _store(first, teams=teams, language=language, data=data, by=by, now=now)


def monthly_report_get_or_generate(
    month: datetime.date,
    *,
    teams: list[int] | None,
    language: str,
    by: User | None,
    now: datetime.datetime | None = None,
) -> MonthlyReport:
    """The stored report when it was made after its month ended (its figures are final);
    otherwise it is made now."""
    now = now or timezone.now()
    first = check_month(month, now=now)
    _check_language(language)
    stored = MonthlyReport.objects.filter(
        month=first, scope_key=scope_key(teams), language=language
    ).first()
    if stored is not None and stored.generated_at >= content.month_end(first):
        return stored
    return monthly_report_generate(first, teams=teams, language=language, by=by, now=now)


def _recipients() -> dict[tuple[str, str], list[tuple[User, list[int] | None]]]:
    """Readers with an address, grouped by (scope, language): one report per group."""
    groups: dict[tuple[str, str], list[tuple[User, list[int] | None]]] = defaultdict(list)
    candidates = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(role=User.Role.CUSTOMER)
        .prefetch_related("teams")
        .order_by("id")
    )
    for user in candidates:
        if not access.can_read(user):
            continue
        scope = access.scope_of(user)
        if scope is not None and not scope:
            continue  # a supervisor of no team: there is nothing of theirs to report
        groups[(scope_key(scope), language_of(user))].append((user, scope))
    return groups


def _mail(report: MonthlyReport, user: User, data: bytes, scope_label: str) -> bool:
    month = f"{report.month:%Y-%m}"
    with translation.override(report.language):
        subject = _("Monthly service report %(month)s") % {"month": month}
        body = _(
            "Hello %(name)s,\n\n"
            "the monthly service report for %(month)s (%(scope)s) is attached as a PDF.\n\n"
            "Every stored report: %(url)s\n"
        ) % {
            "name": user.display_name,
            "month": month,
            "scope": scope_label,
            "url": settings.SITE_URL + reverse("reports:list"),
        }
    with transaction.atomic():
        message = notifications.email_enqueue(
            key=f"monthly-report:{month}:{user.pk}",
            to_address=user.email,
            subject=subject,
            body=body,
            recipient=user,
            attachments=[notifications.Attachment(report.filename, data, "application/pdf")],
        )
    return message is not None


def monthly_reports_send(
    *, month: datetime.date | None = None, now: datetime.datetime | None = None
) -> int:
    """Make and mail the reports of `month` (default: the previous month, service time
    zone); returns how many mails were written. Each person gets one mail a month: a rerun
    writes none again, and reuses the reports made after the month ended."""
    now = now or timezone.now()
    first = month or content.previous_month(content.current_month(now))
    written = 0
    for (_key, language), members in _recipients().items():
        scope = members[0][1]
        report = monthly_report_get_or_generate(
            first, teams=scope, language=language, by=None, now=now
        )
        with report.file.open("rb") as stored:
            data = stored.read()
        with translation.override(language):
            label = content.scope_label(scope)
        for user, _scope in members:
            written += _mail(report, user, data, label)
    log.info("Monthly reports for %s: %s mails written", f"{first:%Y-%m}", written)
    return written
