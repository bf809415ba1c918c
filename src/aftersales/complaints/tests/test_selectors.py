"""Reads for reports and for the supervisor's queue: the remedy totals of agreed proposals,
and the complaint proposals on the "waiting for my approval" page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.complaints import selectors, services
from aftersales.complaints.models import Complaint, Proposal
from aftersales.complaints.tests import factories
from aftersales.complaints.tests.conftest import signature_url

pytestmark = pytest.mark.django_db


def _sign(proposal: Proposal) -> Proposal:
    return services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address=None,
        user_agent="",
    )


def _accepted(agent, lead, customer, product, lines) -> Proposal:
    return _sign(factories.offered(agent, lead, customer, product, lines=lines))


@pytest.fixture
def departments(warehouse_user, marketing_user, finance_user):
    return warehouse_user, marketing_user, finance_user


def test_remedy_totals_sum_the_agreed_remedies_by_kind_to_the_cent(
    agent, complaint_lead, customer_a, product, departments
):
    first = _accepted(
        agent,
        complaint_lead,
        customer_a,
        product,
        [
            {"kind": "compensation_product", "product": product, "unit_value": "1999.00"},
            {"kind": "gift", "description": "保温杯", "quantity": 3, "unit_value": "0.10"},
            {"kind": "refund", "unit_value": "0.20"},
        ],
    )
    second = _accepted(
        agent,
        complaint_lead,
        customer_a,
        product,
        [
            {"kind": "gift", "description": "电饭煲", "unit_value": "0.20"},
            {"kind": "refund", "unit_value": "0.10"},
        ],
    )
    totals = selectors.remedy_totals(Complaint.objects.all())
    assert totals == {
        "compensation_product": Decimal("1999.00"),
        "gift": Decimal("0.50"),
        "refund": Decimal("0.30"),
    }
    assert all(isinstance(value, Decimal) for value in totals.values())
    assert str(totals["refund"]) == "0.30"  # no binary fractions from the database's sum

    # Only the complaints asked about.
    only_second = Complaint.objects.filter(pk=second.complaint_id)
    assert selectors.remedy_totals(only_second) == {
        "gift": Decimal("0.20"),
        "refund": Decimal("0.10"),
    }
    assert first.complaint_id not in only_second.values_list("pk", flat=True)


def test_remedy_totals_leave_out_what_the_customer_has_not_agreed(
    agent, complaint_lead, other_lead, customer_a, product, departments
):
    # Offered but not signed: not counted.
    factories.offered(
        agent, complaint_lead, customer_a, product, lines=[{"kind": "refund", "unit_value": "500"}]
    )
    # Declined: not counted.
    declined = factories.offered(
        agent, complaint_lead, customer_a, product, lines=[{"kind": "refund", "unit_value": "700"}]
    )
    services.proposal_decline(declined, reason="太少")
    # Sent back, then a second version agreed: only the second counts.
    sent_back = services.proposal_submit(
        factories.proposed(
            agent, customer_a, product, lines=[{"kind": "refund", "unit_value": "900"}]
        ),
        by=agent,
    )
    services.proposal_send_back(sent_back, by=complaint_lead, comment="金额过高")
    second = services.proposal_create(
        sent_back.complaint,
        by=agent,
        data={"reasoning": "按比例赔偿", "lines": [{"kind": "refund", "unit_value": "630.00"}]},
    )
    _sign(services.proposal_approve(services.proposal_submit(second, by=agent), by=other_lead))
    # A founded "no": agreed, and worth nothing.
    _accepted(agent, complaint_lead, customer_a, product, [{"kind": "none"}])

    totals = selectors.remedy_totals(Complaint.objects.all())
    assert totals == {"refund": Decimal("630.00"), "none": Decimal("0.00")}
    assert selectors.remedy_totals(Complaint.objects.none()) == {}


def test_remedy_totals_do_not_add_up_two_currencies(
    agent, complaint_lead, customer_a, product, departments, settings
):
    settings.CURRENCY = "CNY"
    in_yuan = _accepted(
        agent, complaint_lead, customer_a, product, [{"kind": "refund", "unit_value": "100"}]
    )
    settings.CURRENCY = "USD"
    in_dollars = _accepted(
        agent, complaint_lead, customer_a, product, [{"kind": "refund", "unit_value": "15"}]
    )
    assert (in_yuan.currency, in_dollars.currency) == ("CNY", "USD")
    everything = Complaint.objects.all()
    assert selectors.remedy_totals(everything) == {"refund": Decimal("15.00")}
    assert selectors.remedy_totals(everything, currency="CNY") == {"refund": Decimal("100.00")}


# --- The supervisor's one queue -----------------------------------------------------------


def test_complaint_proposals_wait_in_the_supervisors_approval_queue(
    agent, complaint_lead, supervisor, customer_a, product, departments, client
):
    proposal = services.proposal_submit(factories.proposed(agent, customer_a, product), by=agent)
    url = reverse("repairs:approvals")

    client.force_login(complaint_lead)
    body = client.get(url).content.decode()
    assert f'data-complaint-approval="{proposal.complaint_id}"' in body
    assert reverse("complaints:detail", args=[proposal.complaint_id]) in body
    assert proposal.complaint.request.number in body
    assert "2,098.00 CNY" in body  # 1 × 1999.00 + 2 × 49.50
    assert "data-approvals-empty" not in body
    assert selectors.proposals_to_decide(complaint_lead) == [proposal]

    # A supervisor of another team does not see it, and sees the queue empty.
    client.force_login(supervisor)
    body = client.get(url).content.decode()
    assert "data-complaint-approval" not in body and "data-approvals-empty" in body

    # Once decided it leaves the queue.
    services.proposal_approve(proposal, by=complaint_lead)
    client.force_login(complaint_lead)
    body = client.get(url).content.decode()
    assert "data-complaint-approval" not in body and "data-approvals-empty" in body


def test_the_proposer_does_not_find_their_own_proposal_in_the_queue(
    complaint_lead, other_lead, customer_a, product, departments, client
):
    proposal = services.proposal_submit(
        factories.proposed(complaint_lead, customer_a, product), by=complaint_lead
    )
    assert selectors.proposals_to_decide(complaint_lead) == []
    assert selectors.proposals_to_decide(other_lead) == [proposal]
    client.force_login(complaint_lead)
    body = client.get(reverse("repairs:approvals")).content.decode()
    assert "data-complaint-approval" not in body
