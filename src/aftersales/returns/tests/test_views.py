"""Console pages and the portal: the card, its forms with and without JavaScript, the list,
the RMA's own page, and what a customer sees when tracking."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.returns import services
from aftersales.returns.models import ReturnAuthorisation
from aftersales.returns.tests.conftest import PNG
from aftersales.returns.tests.factories import make_rma_request, make_unit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def browser(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def detail(sr) -> str:
    return reverse("service_requests:detail", args=[sr.number])


def test_the_card_shows_eligibility_and_the_decision_form(sr, agent):
    html = browser(agent).get(detail(sr)).content.decode()
    assert 'id="rma-panel"' in html and 'data-eligibility="refund"' in html
    assert "within the 7-day return window" in html
    assert "data-rma-authorise" in html and 'value="refund" selected' in html


def test_authorising_without_javascript_redirects_back_with_a_message(sr, agent):
    url = reverse("returns:authorise", args=[sr.number])
    response = browser(agent).post(url, {"decision": "refund", "reason": ""}, follow=True)
    rma = ReturnAuthorisation.objects.get()
    assert response.redirect_chain[-1][0] == detail(sr)
    html = response.content.decode()
    assert f"{rma.number} authorised" in html and f'data-rma="{rma.number}"' in html
    assert 'data-rma-status="authorised"' in html and 'data-rma-step="ship_in"' in html


def test_authorising_with_htmx_returns_the_panels(sr, agent):
    url = reverse("returns:authorise", args=[sr.number])
    response = browser(agent).post(url, {"decision": "replacement"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="request-panels">')
    assert 'data-rma-decision="replacement"' in html
    assert "request-changed" in response["HX-Trigger"]


def test_a_refusal_is_shown_on_the_form(sr, agent):
    url = reverse("returns:authorise", args=[sr.number])
    response = browser(agent).post(url, {"decision": "refused", "reason": ""}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#rma-authorise-errors"
    assert "Say why the return is refused." in response.content.decode()
    services.rma_authorise(sr, by=agent, decision="refund")
    again = browser(agent).post(url, {"decision": "refund"}, **HTMX)
    assert again.status_code == 409 and "Reload" in again.content.decode()
    plain = browser(agent).post(url, {"decision": "refund"}, follow=True)
    assert "has RMA" in plain.content.decode()


def test_steps_from_the_card_in_order(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    step = lambda name: reverse("returns:step", args=[rma.pk, name])  # noqa: E731
    inspect = browser(technician).post(
        step("inspect"), {"version": 1, "result": "fault_confirmed"}, **HTMX
    )
    assert inspect.status_code == 409
    assert inspect["HX-Retarget"] == "#rma-inspect-errors"
    assert "must be received" in inspect.content.decode()
    received = browser(agent).post(
        step("receive"),
        {"version": 1, "condition_notes": "完好", "photos": [SimpleUploadedFile("a.png", PNG)]},
        **HTMX,
    )
    assert received.status_code == 200 and 'data-rma-status="received"' in received.content.decode()
    stale = browser(technician).post(
        step("inspect"), {"version": 1, "result": "fault_confirmed"}, **HTMX
    )
    assert stale.status_code == 409 and "Someone else changed this RMA" in stale.content.decode()
    html = browser(technician).get(detail(sr)).content.decode()
    assert 'data-rma-step="inspect"' in html and 'data-rma-step="refund"' not in html
    assert "a.png" in html
    inspected = browser(technician).post(
        step("inspect"), {"version": 2, "result": "fault_confirmed"}, follow=True
    )
    assert "The inspection is recorded." in inspected.content.decode()
    refund = browser(agent).post(
        step("refund"),
        {"version": 3, "amount": "88.80", "method": "cash", "reason": "无发票"},
        follow=True,
    )
    html = refund.content.decode()
    assert "88.80 CNY" in html and 'data-rma-status="refunded"' in html
    assert ReturnAuthorisation.objects.get().refund_amount == Decimal("88.80")


def test_the_forms_reject_get(sr, agent):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    client = browser(agent)
    assert client.get(reverse("returns:authorise", args=[sr.number])).status_code == 405
    assert client.get(reverse("returns:step", args=[rma.pk, "receive"])).status_code == 405
    assert client.post(reverse("returns:step", args=[rma.pk, "teleport"])).status_code == 404


def test_the_list_page_and_its_filters(sr, agent, customer_user, other_technician, customer_b):
    a = services.rma_authorise(sr, by=agent, decision="refund")
    other = make_rma_request(by=agent, unit=make_unit(customer=customer_b, serial="SN-L"))
    b = services.rma_authorise(other, by=agent, decision="repair")
    page = browser(agent).get(reverse("returns:rma_list")).content.decode()
    assert a.number in page and b.number in page
    filtered = browser(agent).get(reverse("returns:rma_list"), {"decision": "repair"}, **HTMX)
    html = filtered.content.decode()
    assert html.lstrip().startswith('<div id="rma-list">')
    assert b.number in html and a.number not in html
    assert browser(other_technician).get(reverse("returns:rma_list")).status_code == 200
    assert (
        a.number not in browser(other_technician).get(reverse("returns:rma_list")).content.decode()
    )
    assert browser(customer_user).get(reverse("returns:rma_list")).status_code == 403
    nav = browser(agent).get(detail(sr)).content.decode()
    assert f'href="{reverse("returns:rma_list")}"' in nav
    assert (
        f'href="{reverse("returns:rma_list")}"'
        not in browser(customer_user).get(detail(sr)).content.decode()
    )


def test_warehouse_staff_work_from_the_rma_page(sr, agent, technician, warehouse_user):
    rma = services.rma_authorise(sr, by=agent, decision="repair")
    client = browser(warehouse_user)
    assert client.get(detail(sr)).status_code == 404
    listing = client.get(reverse("returns:rma_list")).content.decode()
    assert rma.number in listing and sr.number not in listing
    page = client.get(reverse("returns:rma_detail", args=[rma.pk])).content.decode()
    assert 'data-rma-step="receive"' in page and sr.address in page
    assert 'data-rma-step="cancel"' not in page
    received = client.post(
        reverse("returns:step", args=[rma.pk, "receive"]), {"version": 1, "origin": "rma"}, **HTMX
    )
    assert received.status_code == 200
    assert received.content.decode().lstrip().startswith('<div id="rma-panels">')
    services.rma_inspect(ReturnAuthorisation.objects.get(), by=technician, result="fault_confirmed")
    shipped = client.post(
        reverse("returns:step", args=[rma.pk, "ship-out"]),
        {"version": 3, "origin": "rma", "carrier": "顺丰", "tracking_number": "SF7"},
    )
    assert shipped.status_code == 302 and shipped["Location"] == reverse(
        "returns:rma_detail", args=[rma.pk]
    )
    assert ReturnAuthorisation.objects.get().status == "closed"


def test_a_customer_sees_their_rma_without_notes_on_the_console(sr, agent, customer_user):
    rma = services.rma_authorise(sr, by=agent, decision="refund", reason="七天无理由")
    services.rma_receive(rma, by=agent, condition_notes="内部：包装破损")
    html = browser(customer_user).get(detail(sr)).content.decode()
    assert rma.number in html and "七天无理由" in html
    assert "包装破损" not in html and "data-eligibility" not in html
    assert (
        browser(customer_user).get(reverse("returns:rma_detail", args=[rma.pk])).status_code == 302
    )


@pytest.mark.parametrize(
    ("language", "lang_attr"), [("en", "en"), ("zh-CN", "zh-hans"), ("zh-TW", "zh-hant")]
)
def test_the_pages_speak_the_browser_language(sr, agent, language, lang_attr):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    for url in (
        detail(sr),
        reverse("returns:rma_list"),
        reverse("returns:rma_detail", args=[rma.pk]),
    ):
        response = browser(agent, f"{language},en;q=0.5").get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{lang_attr}">' in html and rma.number in html
    html = browser(agent, language).get(reverse("returns:rma_list")).content.decode()
    # Labels the catalogue already translates show the page is in that language (the texts
    # new with returns are translated afterwards, with `make messages`).
    for text in {
        "en": ["Status", "Customer"],
        "zh-hans": ["状态", "客户"],
        "zh-hant": ["狀態", "客戶"],
    }[lang_attr]:
        assert text in html


# --- Portal --------------------------------------------------------------------------------


def track(number: str, contact: str):
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("portal:track"), {"number": number, "contact": contact}
    )


def test_tracking_shows_the_customers_own_rma_without_notes(sr, agent, technician, customer_b):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = services.rma_ship_in(rma, by=agent, carrier="顺丰速运", tracking_number="SF42")
    rma = services.rma_receive(rma, by=agent, condition_notes="内部：疑似翻新")
    services.rma_inspect(rma, by=technician, result="fault_confirmed", notes="内部：主板烧毁")
    other = make_rma_request(by=agent, unit=make_unit(customer=customer_b, serial="SN-P"))
    theirs = services.rma_authorise(other, by=agent, decision="repair")
    response = track(sr.number, "13800138000")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-portal-rma="{rma.number}"' in html
    assert "顺丰速运 SF42" in html and "Fault confirmed" in html
    assert "疑似翻新" not in html and "主板烧毁" not in html
    assert theirs.number not in html
    assert track(sr.number, "13900139000").status_code == 404


def test_tracking_without_an_rma_shows_none(sr):
    html = track(sr.number, "zhang@example.com").content.decode()
    assert "data-portal-rma" not in html


def test_the_history_names_rma_changes_in_words(sr, agent):
    browser(agent).post(reverse("returns:authorise", args=[sr.number]), {"decision": "refund"})
    html = browser(agent).get(detail(sr)).content.decode()
    assert "RMA status" in html and "Authorised" in html
    assert "rma_status" not in html and "rma_decision" not in html
