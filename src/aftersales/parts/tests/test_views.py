"""The parts pages through the test client: who sees them, what they show, the stock forms
with and without htmx."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from aftersales.parts import services
from aftersales.parts.models import StockLevel, StockMovement
from aftersales.parts.tests.factories import make_part, stocked

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    return Client(headers={"accept-language": "en"})


def url(name: str, *args) -> str:
    return reverse(f"parts:{name}", args=args)


@pytest.fixture
def pages(central, part):
    stocked(central, part, 6)
    return [
        url("part_list"),
        url("part_detail", part.pk),
        url("warehouse_list"),
        url("warehouse_detail", central.pk),
    ]


def test_strangers_are_sent_to_sign_in(client, pages):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_customers_are_refused(client, pages, customer_user):
    client.force_login(customer_user)
    for page in pages:
        assert client.get(page).status_code == 403


@pytest.mark.parametrize("role", ["agent", "technician", "department", "analyst", "supervisor"])
def test_every_staff_member_reads_the_pages(client, pages, request, role):
    client.force_login(request.getfixturevalue(role))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert 'href="/parts/"' in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_pages_render_in_each_language(pages, agent, language):
    client = Client(headers={"accept-language": language})
    client.force_login(agent)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
    body = client.get(pages[0]).content.decode()
    if language == "zh-hans":
        assert "服务单" in body and "搜索" in body  # the console's own words, translated


def test_the_console_navigation_links_to_parts_for_staff_only(client, agent, customer_user):
    client.force_login(agent)
    assert 'href="/parts/"' in client.get(reverse("service_requests:list")).content.decode()
    client.force_login(customer_user)
    assert 'href="/parts/"' not in client.get(reverse("service_requests:list")).content.decode()


def test_catalogue_lists_available_stock_per_warehouse_and_searches(
    client, central, van, part, agent, sr
):
    stocked(central, part, 6)
    stocked(van, part, 2)
    services.stock_reserve(warehouse=central, part=part, quantity=1, service_request=sr, by=agent)
    make_part(part_number="FLT-RO", name="反渗透滤芯", name_en="RO membrane")
    client.force_login(agent)
    body = client.get(url("part_list")).content.decode()
    assert "WH-CENTRAL: 5" in body and f"{van.code}: 2" in body
    assert "FLT-RO" in body and "Not stocked" in body
    found = client.get(url("part_list"), {"search": "membrane"}, **HTMX)
    text = found.content.decode()
    assert text.lstrip().startswith('<div id="part-list">')
    assert "FLT-RO" in text and "CAP-35UF" not in text
    assert "No parts match." in client.get(url("part_list"), {"search": "zzz"}).content.decode()


def test_catalogue_queries_do_not_grow_with_parts(
    client, central, agent, django_assert_max_num_queries
):
    for i in range(12):
        stocked(central, make_part(part_number=f"BULK-{i:02d}"), 3)
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        assert client.get(url("part_list")).status_code == 200


def test_a_part_shows_its_stock_and_movements(client, central, van, part, supervisor):
    stocked(central, part, 6)
    services.stock_transfer(source=central, destination=van, part=part, quantity=2, by=supervisor)
    client.force_login(supervisor)
    body = client.get(url("part_detail", part.pk)).content.decode()
    assert 'data-warehouse="WH-CENTRAL"' in body and f'data-warehouse="{van.code}"' in body
    assert body.count('data-kind="') == 3  # receipt, transfer out, transfer in
    assert "Transferred out" in body


def test_a_warehouse_highlights_low_stock(client, central, part, agent):
    stocked(central, part, 2)
    services.stock_set_reorder_level(warehouse=central, part=part, reorder_level=3, by=None)
    fine = make_part(part_number="OK-1")
    stocked(central, fine, 9)
    client.force_login(agent)
    body = client.get(url("warehouse_detail", central.pk)).content.decode()
    assert '<tr class="low" data-part="CAP-35UF">' in body
    assert '<tr data-part="OK-1">' in body
    assert 'data-low-count="1"' in body
    listing = client.get(url("warehouse_list")).content.decode()
    assert '<tr class="low" data-warehouse="WH-CENTRAL">' in listing


def test_forms_are_shown_to_stock_managers_only(client, central, agent, warehouse_clerk):
    client.force_login(agent)
    assert "data-form=" not in client.get(url("warehouse_detail", central.pk)).content.decode()
    client.force_login(warehouse_clerk)
    body = client.get(url("warehouse_detail", central.pk)).content.decode()
    for name in ("receive", "adjust", "transfer"):
        assert f'data-form="{name}"' in body


def test_movements_hide_numbers_of_requests_one_cannot_see(
    client, central, part, sr, agent, department
):
    stocked(central, part, 3)
    services.stock_reserve(warehouse=central, part=part, quantity=1, service_request=sr, by=agent)
    client.force_login(agent)
    assert sr.number in client.get(url("warehouse_detail", central.pk)).content.decode()
    client.force_login(department)
    body = client.get(url("warehouse_detail", central.pk)).content.decode()
    assert sr.number not in body
    assert "a request you cannot see" in body


# --- The forms -----------------------------------------------------------------------------


def test_receiving_without_javascript(client, central, part, warehouse_clerk):
    client.force_login(warehouse_clerk)
    response = client.post(
        url("receive", central.pk),
        {"receive-part": part.pk, "receive-quantity": 8, "receive-note": "PO-11"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("warehouse_detail", central.pk)
    assert StockLevel.objects.get(warehouse=central, part=part).on_hand == 8
    flashed = [str(m) for m in get_messages(response.wsgi_request)]
    assert flashed == ["Received 8 × CAP-35UF; 8 on hand."]


def test_receiving_with_htmx_refreshes_the_panels(client, central, part, warehouse_clerk):
    client.force_login(warehouse_clerk)
    response = client.post(
        url("receive", central.pk), {"receive-part": part.pk, "receive-quantity": 3}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="warehouse-panels">')
    assert "Received 3 × CAP-35UF; 3 on hand." in body
    assert "stock-changed" in response["HX-Trigger"]


def test_invalid_input_is_shown_on_the_page_without_javascript(client, central, part, supervisor):
    client.force_login(supervisor)
    response = client.post(
        url("receive", central.pk), {"receive-part": part.pk, "receive-quantity": 0}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert '<details open data-form="receive">' in body
    assert "Ensure this value is greater than or equal to 1." in body
    assert not StockLevel.objects.exists()


def test_invalid_input_is_shown_in_the_form_with_htmx(client, central, part, supervisor):
    client.force_login(supervisor)
    response = client.post(
        url("adjust", central.pk),
        {"adjust-part": part.pk, "adjust-counted": 4, "adjust-reason": ""},
        **HTMX,
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#adjust-form"
    assert response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="adjust-form">')
    assert "This field is required." in body


def test_a_refused_transfer_says_how_many_are_available(client, central, van, part, supervisor):
    stocked(central, part, 2)
    client.force_login(supervisor)
    response = client.post(
        url("transfer", central.pk),
        {"transfer-part": part.pk, "transfer-destination": van.pk, "transfer-quantity": 5},
        **HTMX,
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Not enough in stock: 2 of CAP-35UF available in WH-CENTRAL, 5 asked for." in body
    assert StockMovement.objects.filter(kind__startswith="transfer").count() == 0
    # The source is not offered as the destination.
    page = client.get(url("warehouse_detail", central.pk)).content.decode()
    form = page.split('data-form="transfer"')[1]
    destination = form.split('name="transfer-destination"')[1].split("</select>")[0]
    assert f'value="{central.pk}"' not in destination
    assert f'value="{van.pk}"' in destination


def test_a_stock_take_below_the_reserved_is_refused_on_the_page(
    client, central, part, sr, agent, supervisor
):
    stocked(central, part, 4)
    services.stock_reserve(warehouse=central, part=part, quantity=3, service_request=sr, by=agent)
    client.force_login(supervisor)
    response = client.post(
        url("adjust", central.pk),
        {"adjust-part": part.pk, "adjust-counted": 1, "adjust-reason": "盘点"},
    )
    assert response.status_code == 400
    assert "3 are reserved for service requests" in response.content.decode()
    assert StockLevel.objects.get().on_hand == 4


def test_only_stock_managers_post_and_only_by_post(client, central, part, agent, supervisor):
    client.force_login(agent)
    for name in ("receive", "adjust", "transfer"):
        assert client.post(url(name, central.pk), {}).status_code == 403
    client.force_login(supervisor)
    for name in ("receive", "adjust", "transfer"):
        assert client.get(url(name, central.pk)).status_code == 405
