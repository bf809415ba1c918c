"""Rules of the complaint path that the API walk does not show: refusals, new versions,
the supervisor's decision, the signature's checks, the clock, and the pages."""

import datetime

import pytest
from django.urls import reverse

from aftersales.complaints import services, signature, tokens
from aftersales.complaints.models import Agreement, Complaint
from aftersales.complaints.tests import factories
from aftersales.complaints.tests.conftest import signature_url
from aftersales.core.errors import DomainError, InvalidTransition, NotAllowed
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_registration_needs_a_complaint_team(agent, customer_a):
    with pytest.raises(DomainError, match="complaint team"):
        factories.register(agent, customer_a)
    assert not ServiceRequest.objects.exists()  # nothing half-written


def test_earlier_requests_must_be_the_same_customers(
    agent, customer_a, customer_b, complaints_team
):
    other = requests.service_request_create(
        by=agent, customer=customer_b, data={"title": "别人的单"}
    )
    with pytest.raises(DomainError) as caught:
        factories.register(agent, customer_a, related_requests=[other.number])
    assert "related_requests" in caught.value.fields


def test_technicians_do_not_register(technician, customer_a, complaints_team):
    with pytest.raises(NotAllowed):
        factories.register(technician, customer_a)


def test_a_declined_proposal_is_followed_by_a_new_version(
    agent, complaint_lead, customer_a, product, warehouse_user, marketing_user
):
    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    services.proposal_decline(proposal, reason="赔偿太少")
    complaint = Complaint.objects.get()
    assert complaint.stage == "proposing"
    assert complaint.request.status == "in_progress"
    second = services.proposal_create(
        complaint,
        by=agent,
        data={"reasoning": "加赠", "lines": [{"kind": "refund", "unit_value": "300.00"}]},
    )
    assert second.number == 2
    with pytest.raises(InvalidTransition):
        services.proposal_sign(
            proposal,
            signer_name="张三",
            signature_data_url=signature_url(),
            ip_address=None,
            user_agent="",
        )


def test_a_founded_no_is_approved_and_signed_without_tasks(
    agent, complaint_lead, customer_a, product
):
    proposal = factories.offered(
        agent, complaint_lead, customer_a, product, lines=[{"kind": "none"}]
    )
    services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address="::1",
        user_agent="x",
    )
    complaint = Complaint.objects.get()
    assert complaint.stage == "awaiting_satisfaction"
    assert not complaint.request.tasks.exists()


def test_an_agreement_is_never_changed(
    agent, complaint_lead, customer_a, product, warehouse_user, marketing_user
):
    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address=None,
        user_agent="",
    )
    agreement = Agreement.objects.get()
    agreement.signer_name = "别人"
    with pytest.raises(ValueError, match="never changed"):
        agreement.save()
    with pytest.raises(ValueError):
        agreement.delete()


def test_closing_by_decision_keeps_the_reason_and_cancels_open_tasks(
    agent, complaint_lead, customer_a, product, warehouse_user, marketing_user
):
    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address=None,
        user_agent="",
    )
    complaint = Complaint.objects.get()
    with pytest.raises(NotAllowed):
        services.complaint_close_by_decision(complaint, by=agent, reason="客户失联")
    with pytest.raises(DomainError):
        services.complaint_close_by_decision(complaint, by=complaint_lead, reason=" ")
    services.complaint_close_by_decision(complaint, by=complaint_lead, reason="客户失联三十天")
    complaint.refresh_from_db()
    assert complaint.stage == "closed_by_decision" and complaint.decided_by == complaint_lead
    assert complaint.request.status == "closed"
    assert set(complaint.request.tasks.values_list("status", flat=True)) == {"cancelled"}


def test_not_satisfied_needs_a_reason_and_asks_for_a_new_version(
    agent, complaint_lead, customer_a, product
):
    proposal = factories.offered(
        agent, complaint_lead, customer_a, product, lines=[{"kind": "none"}]
    )
    services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address=None,
        user_agent="",
    )
    complaint = Complaint.objects.get()
    with pytest.raises(DomainError) as caught:
        services.complaint_satisfaction(complaint, satisfied=False, comment="")
    assert "comment" in caught.value.fields
    services.complaint_satisfaction(complaint, satisfied=False, comment="还是不满意")
    assert Complaint.objects.get().stage == "proposing"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "data:image/jpeg;base64,AAAA",
        "data:image/png;base64,@@@@",
        "data:image/png;base64," + "A" * 500_000,
        "data:image/png;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    ],
)
def test_a_signature_must_be_a_small_png(value):
    with pytest.raises(DomainError) as caught:
        signature.signature_png(value)
    assert "signature" in caught.value.fields


def test_a_blank_or_huge_canvas_is_not_a_signature():
    with pytest.raises(DomainError):
        signature.signature_png(signature_url(ink=False))
    with pytest.raises(DomainError):
        signature.signature_png(signature_url(size=(3000, 100)))
    assert signature.signature_png(signature_url()).startswith(b"\x89PNG")


def test_the_resolution_is_not_started_before_the_agreement(agent, customer_a, complaints_team):
    complaint = factories.register(agent, customer_a)
    sr = complaint.request
    sr.refresh_from_db()
    assert sr.resolution_due_at is None and sr.resolution_warn_at is None
    block = requests_sla(sr)
    assert block["resolution"]["state"] == "paused" and block["resolution"]["used_seconds"] == 0
    # A change of priority recomputes through the same hold.
    updated = requests.service_request_update(
        sr, by=agent, data={"impact": "high", "urgency": "high"}, expected_version=None
    )
    assert updated.resolution_due_at is None


def requests_sla(sr):
    from aftersales.service_requests.deadlines import sla_block

    return sla_block(sr)


def test_the_pages_show_the_complaint_to_its_staff_only(
    agent, customer_a, complaints_team, warehouse_user, client
):
    complaint = factories.investigated(agent, customer_a)
    client.force_login(agent)
    assert client.get("/complaints/").status_code == 200
    page = client.get(f"/complaints/{complaint.pk}/")
    assert page.status_code == 200 and 'data-step="propose"' in page.content.decode()
    response = client.post(
        f"/complaints/{complaint.pk}/propose/",
        {"reasoning": "赠券", "kind_0": "service_credit", "unit_value_0": "50.00"},
    )
    assert response.status_code == 302
    assert complaint.proposals.get().lines.get().amount == 50
    card = client.get(f"/{complaint.request.number}/")
    assert "complaint-card" in card.content.decode()
    client.force_login(warehouse_user)
    assert client.get("/complaints/").status_code == 403
    assert client.get(f"/complaints/{complaint.pk}/").status_code == 403


def test_the_pdf_is_a_pdf_in_both_languages(
    agent, complaint_lead, customer_a, product, warehouse_user, marketing_user, client
):
    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    services.proposal_sign(
        proposal,
        signer_name="张三",
        signature_data_url=signature_url(),
        ip_address="203.0.113.9",
        user_agent="",
    )
    client.force_login(agent)
    for lang in ("zh-hans", "en"):
        response = client.get(f"/complaints/proposals/{proposal.pk}/pdf/", {"lang": lang})
        assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_link_expires(
    agent, complaint_lead, customer_a, product, client, settings, warehouse_user, marketing_user
):
    from aftersales.complaints import tokens

    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    token = tokens.complaint_token(proposal.complaint_id)
    settings.COMPLAINT_LINK_DAYS = 1
    import time_machine

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=2)):
        assert client.get(f"/portal/complaints/{token}/").status_code == 404
    assert client.get(f"/portal/complaints/{token}x/").status_code == 404


def test_a_refused_signature_keeps_the_typed_name(
    agent, complaint_lead, customer_a, product, warehouse_user, marketing_user, client
):
    proposal = factories.offered(agent, complaint_lead, customer_a, product)
    link = reverse("complaints_portal:page", args=[tokens.complaint_token(proposal.complaint_id)])
    answer = {"contact": "13800138000", "action": "sign", "signer_name": "张三", "signature": ""}
    response = client.post(link, answer)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="张三"' in body and "Draw your signature" in body
    assert not Agreement.objects.exists()
