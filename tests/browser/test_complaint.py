"""A complaint from registration to the customer's satisfaction, as the people involved do it:
an agent registers it on the console, records the call and the investigation and proposes a
remedy; a supervisor approves it from their approval queue; the customer opens the mailed
link on a phone (390×844), types their name and draws the signature with a finger and a
mouse; the warehouse ships the product and finishes its task with the tracking number; the
customer says they are satisfied and the request is resolved. In headless Debian Chromium."""

import hashlib
import io
import re

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.complaints import services
from aftersales.complaints.models import Agreement, Complaint
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests.models import ServiceRequest
from aftersales.tasks.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TRACKING = "SF1402668839"


def _member(username: str, role: str, team: Team) -> User:
    user = User(username=username, role=role, first_name=username)
    user.set_password(f"pass-{username}")
    user.save()
    user.teams.set([team])
    return user


@pytest.fixture
def desk(db):
    """The complaint team with its supervisor, and the warehouse with one of its staff."""
    complaints = Team.objects.create(
        name="投诉处理组", name_en="Complaints", kind=Team.Kind.COMPLAINTS
    )
    lead = _member("lead2", User.Role.SUPERVISOR, complaints)
    complaints.supervisor = lead
    complaints.save()
    warehouse = Team.objects.create(name="成品仓", name_en="Warehouse", kind=Team.Kind.WAREHOUSE)
    return {"lead": lead, "warehouse": _member("wh1", User.Role.DEPARTMENT, warehouse)}


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def _step(page, name):
    return page.locator(f"form[data-step={name}]")


def _stroke_by_touch(page, cdp, points):
    """A finger drawing on the screen: touch events as a touchscreen sends them."""
    box = page.locator("canvas.signature-canvas").bounding_box()
    at = [{"x": box["x"] + x, "y": box["y"] + y} for x, y in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for point in at[1:]:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def _stroke_by_mouse(page, points):
    box = page.locator("canvas.signature-canvas").bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


def _prove(page, link, phone):
    page.goto(link)
    page.fill("#id_contact", phone)
    page.locator("[data-complaint-prove] button[type=submit]").click()
    expect(page.locator("[data-complaint-page]")).to_be_visible()


def test_a_complaint_from_registration_to_satisfaction(
    live_server, browser, new_page, agent, customer_a, desk
):
    Product.objects.create(model="JSQ-16", name="燃气热水器")
    url = live_server.url

    # 1. The agent registers the complaint taken on the phone; it goes to the team at once.
    console = new_page()
    _sign_in(console, url, "agent1")
    console.goto(f"{url}/complaints/")
    console.locator("a[href='/complaints/new/']").first.click()
    form = console.locator("[data-register-form]")
    form.locator("[name=customer_name]").fill("张三")
    form.locator("[name=contact_phone]").fill("13800138000")
    form.locator("[name=contact_email]").fill("zhang@example.com")
    form.locator("[name=address]").fill("北京市海淀区中关村大街 1 号")
    form.locator("[name=complainant]").fill("张三")
    form.locator("[name=subject]").fill("热水器安装后漏水，维修两次仍未解决，地板被泡坏")
    form.locator("[name=wanted]").fill("更换新机并赔偿地板")
    form.locator("button[type=submit]").click()
    console.wait_for_url(re.compile(r".*/complaints/\d+/$"))
    complaint = Complaint.objects.get()
    assert complaint.request.customer_id == customer_a.pk  # found by the phone number
    assert complaint.request.team.kind == Team.Kind.COMPLAINTS
    expect(console.locator("[data-recorded-by]")).to_contain_text("agent1")

    # 2. The call and the investigation.
    contact = _step(console, "contact")
    expect(contact).to_be_visible()  # the first thing to do is open already
    contact.locator("[name=method]").select_option("phone")
    contact.locator("[name=facts]").fill("客户确认漏水点在进水接头，地板两块起鼓")
    contact.locator("button[type=submit]").click()
    investigation = _step(console, "investigate")
    expect(investigation).to_be_visible()
    investigation.locator("[name=severity]").select_option("major")
    investigation.locator("[name=fault]").select_option("partial")
    investigation.locator("[name=fault_percent]").fill("70")
    investigation.locator("[name=founded]").select_option("yes")
    investigation.locator("[name=findings]").fill("安装时进水接头未拧紧")
    investigation.locator("button[type=submit]").click()

    # 3. The proposal: a new heater from the warehouse, and the reasoning; then approval.
    proposal = _step(console, "propose")
    expect(proposal).to_be_visible()
    proposal.locator("[name=kind_0]").select_option("compensation_product")
    proposal.locator("[name=product_0]").fill("JSQ-16")
    proposal.locator("[name=quantity_0]").fill("1")
    proposal.locator("[name=unit_value_0]").fill("1999.00")
    proposal.locator("[name=reasoning]").fill("老客户，我方安装过失，影响口碑")
    proposal.locator("button[type=submit]").click()
    expect(console.locator("[data-proposal='1']")).to_have_attribute("data-status", "draft")
    expect(console.locator("[data-proposal='1'] [data-total]")).to_contain_text("1,999.00")
    _step(console, "submit").locator("button[type=submit]").click()
    expect(console.locator("[data-proposal='1']")).to_have_attribute("data-status", "submitted")
    # The proposer cannot approve it.
    expect(_step(console, "approve")).to_have_count(0)

    # 4. The supervisor finds it in their approval queue and approves it.
    lead = new_page()
    _sign_in(lead, url, "lead2")
    lead.goto(f"{url}/repairs/approvals/")
    queue = lead.locator(f"[data-complaint-approval='{complaint.pk}']")
    expect(queue).to_contain_text(complaint.request.number)
    queue.locator("a").first.click()
    lead.wait_for_url(f"{url}/complaints/{complaint.pk}/")
    approve = _step(lead, "approve")
    approve.locator("[name=comment]").fill("同意，尽快发货")
    approve.locator("button[type=submit]").click()
    expect(lead.locator("[data-proposal='1']")).to_have_attribute("data-status", "offered")

    # The customer was mailed the link.
    mail = OutboxMessage.objects.get(to_address="zhang@example.com", event="complaint_offer")
    found = re.search(r"https?://\S+/portal/complaints/\S+/", mail.body)
    assert found, mail.body
    link = found.group(0).replace(settings.SITE_URL, url)

    # 5. The customer signs on a phone, without an account: name typed, signature drawn.
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        phone = context.new_page()
        phone.set_default_timeout(15000)
        cdp = context.new_cdp_session(phone)
        _prove(phone, link, "13800138000")
        expect(phone.locator("[data-remedy-lines]")).to_contain_text("JSQ-16")
        expect(phone.locator("[data-remedy-lines] [data-total]")).to_contain_text("1,999.00")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        pad = phone.locator("canvas.signature-canvas")
        expect(pad).to_be_visible()
        pad.scroll_into_view_if_needed()
        phone.fill("#signer-name", "张三")
        # Signing with nothing drawn is refused by the server, naming the signature.
        phone.locator("[data-sign-form] button[type=submit]").click()
        expect(phone.locator("[role=alert]")).to_be_visible()
        assert not Agreement.objects.exists()
        expect(phone.locator("#signer-name")).to_have_value("张三")  # kept: only draw again
        phone.locator("canvas.signature-canvas").scroll_into_view_if_needed()
        _stroke_by_touch(phone, cdp, [(20, 90), (60, 40), (100, 100), (140, 35), (180, 95)])
        _stroke_by_mouse(phone, [(200, 60), (240, 110), (290, 50)])
        phone.locator("[data-sign-form] button[type=submit]").click()
        expect(phone.locator("[data-complaint-page] [role=status]")).to_be_visible()
        expect(phone.locator("[data-sign]")).to_have_count(0)

        agreement = Agreement.objects.get()
        assert agreement.method == "portal" and agreement.signer_name == "张三"
        assert agreement.ip_address == "127.0.0.1" and agreement.user_agent
        image = Image.open(io.BytesIO(bytes(agreement.signature_png)))
        assert image.format == "PNG"
        # Both strokes are in it: ink on the left (the finger) and on the right (the mouse).
        gray = image.convert("L")
        width = gray.width
        left = gray.crop((0, 0, width // 3, gray.height)).getextrema()[0]
        right = gray.crop((2 * width // 3, 0, width, gray.height)).getextrema()[0]
        assert left < 100 and right < 100
        signed = agreement.proposal
        expected = hashlib.sha256(services.proposal_content(signed).encode()).hexdigest()
        assert agreement.content_sha256 == expected
        complaint.refresh_from_db()
        assert complaint.agreed_at is not None and complaint.stage == "implementing"

        # 6. The warehouse ships the heater and finishes its task with the tracking number.
        warehouse = new_page()
        _sign_in(warehouse, url, "wh1")
        warehouse.goto(f"{url}/tasks/")
        task = Task.objects.get()
        warehouse.locator(f"a[href='/tasks/{task.pk}/']").first.click()
        warehouse.wait_for_url(f"{url}/tasks/{task.pk}/")
        # What the warehouse needs is on the task: the item, the quantity, where it goes.
        body = warehouse.locator("main")
        expect(body).to_contain_text("JSQ-16")
        expect(body).to_contain_text("中关村大街")
        expect(body).to_contain_text("13800138000")
        finish = warehouse.locator("[data-task-finish]")
        finish.locator("[name=outcome]").fill("新机已由顺丰发出")
        finish.locator("[name=reference]").fill(TRACKING)
        finish.locator("button[type=submit]").click()
        expect(warehouse.locator("[data-task-reference]")).to_have_text(TRACKING)
        # ...and never sees the complaint or its request.
        response = warehouse.goto(f"{url}/complaints/{complaint.pk}/")
        assert response.status in {403, 404}
        response = warehouse.goto(f"{url}/{complaint.request.number}/")
        assert response.status in {403, 404}

        # The agent sees the progress on the complaint's page.
        console.goto(f"{url}/complaints/{complaint.pk}/")
        expect(console.locator("[data-tasks] [data-task-status='done']")).to_contain_text(TRACKING)

        # 7. The customer says they are satisfied; the request is resolved.
        _prove(phone, link, "13800138000")
        satisfaction = phone.locator("[data-satisfaction]")
        expect(satisfaction).to_be_visible()
        satisfaction.locator("button[value=satisfied]").click()
        expect(phone.locator("[data-complaint-page] [role=status]")).to_be_visible()
        expect(phone.locator("[data-satisfaction]")).to_have_count(0)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()

    complaint.refresh_from_db()
    assert complaint.satisfied_at is not None and complaint.stage == "satisfied"
    request = ServiceRequest.objects.get(pk=complaint.request_id)
    assert request.status == ServiceRequest.Status.RESOLVED
    console.goto(f"{url}/complaints/{complaint.pk}/")
    expect(console.locator("[data-stage]")).to_have_text(complaint.get_stage_display())
    assert console.dialogs == [] and lead.dialogs == [] and warehouse.dialogs == []
