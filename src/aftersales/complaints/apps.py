from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "aftersales.complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from aftersales.complaints import receivers, services
        from aftersales.service_requests import deadlines, display, signals, transitions
        from aftersales.tasks import signals as task_signals

        signals.request_transitioned.connect(
            receivers.follow_request, dispatch_uid="complaints.follow_request"
        )
        task_signals.task_finished.connect(
            receivers.follow_task, dispatch_uid="complaints.follow_task"
        )
        transitions.add_guard("close", services.refuse_close_without_satisfaction)
        transitions.add_guard("approve", services.refuse_own_approval)
        deadlines.add_resolution_hold("complaint", services.resolution_hold)
        display.EVENT_TITLES.update(
            {
                "complaint.registered": _("Complaint registered"),
                "complaint.contact": _("Contact with the customer"),
                "complaint.investigated": _("Complaint investigated"),
                "complaint.proposal_created": _("Complaint proposal"),
                "complaint.offered": _("Proposal offered to the customer"),
                "complaint.agreed": _("Agreement signed"),
                "complaint.declined": _("Proposal declined"),
                "complaint.remedy_done": _("Remedy carried out"),
                "complaint.satisfied": _("Customer satisfied"),
                "complaint.not_satisfied": _("Customer not satisfied"),
                "complaint.decision": _("Complaint closed by decision"),
            }
        )
        display.CHANGE_LABELS.update(
            {
                "complaint": (_("Complaint"), None),
                "proposal": (_("Proposal"), None),
                "severity": (_("Severity"), None),
                "fault": (_("Our fault"), None),
                "fault_percent": (_("Share of our fault (%)"), None),
                "founded": (_("Founded"), None),
            }
        )
