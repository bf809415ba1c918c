from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = settings.ADMIN_SITE_HEADER

urlpatterns = [
    # Before the console, whose routes at the root take any segment with a digit for a
    # service number: nothing there may shadow the parts pages.
    path("parts/", include("aftersales.parts.urls")),
    path("dispatch/", include("aftersales.dispatch.urls")),
    path("visits/", include("aftersales.visits.urls")),
    path("repairs/", include("aftersales.repairs.urls")),
    path("returns/", include("aftersales.returns.urls")),
    path("repair-records/", include("aftersales.repair_records.urls")),
    path("tasks/", include("aftersales.tasks.urls")),
    path("quality/", include("aftersales.quality.urls")),
    path("complaints/", include("aftersales.complaints.urls")),
    path("follow-ups/", include("aftersales.followups.urls")),
    path("satisfaction/", include("aftersales.surveys.urls")),
    path("units/", include("aftersales.repair_records.urls_units")),
    path("imports/", include("aftersales.imports.urls")),
    path("mail/", include("aftersales.mailin.urls")),
    path("notices/", include("aftersales.notices.urls")),
    path("dashboards/", include("aftersales.dashboards.urls")),
    path("reports/", include("aftersales.reports.urls")),
    path("", include("aftersales.service_requests.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("portal/plans/", include("aftersales.repairs.urls_portal")),
    path("portal/confirm/", include("aftersales.repair_records.urls_portal")),
    path("portal/survey/", include("aftersales.surveys.urls_portal")),
    path("portal/complaints/", include("aftersales.complaints.urls_portal")),
    path("portal/", include("aftersales.portal.urls")),
    path("api/", include("aftersales.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "aftersales.core.views.bad_request"
handler403 = "aftersales.core.views.forbidden"
handler404 = "aftersales.core.views.not_found"
handler500 = "aftersales.core.views.server_error"
