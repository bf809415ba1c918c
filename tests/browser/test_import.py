"""An administrator imports a customer file in the browser: the first upload has a bad row
and shows the report by row (nothing written), the corrected file shows the summary, and
the confirm button imports it; the history lists both. In headless Debian Chromium."""

import pytest
from playwright.sync_api import expect

from aftersales.customers.models import Customer
from aftersales.imports.tests.files import csv_bytes, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_an_admin_imports_customers(live_server, new_page, admin_user, tmp_path):
    page = new_page()
    _sign_in(page, live_server.url, "admin1")
    page.locator("a[href='/imports/']").first.click()
    page.wait_for_url(f"{live_server.url}/imports/")

    bad = tmp_path / "客户.csv"
    bad.write_bytes(
        csv_bytes(
            [["姓名", "电话"], ["王芳", "13700000001"], ["", "13700000002"]], encoding="gb18030"
        )
    )
    page.select_option("#i-kind", "customers")
    page.set_input_files("#i-file", str(bad))
    page.locator("[data-import-form] button[type=submit]").click()
    errors = page.locator("[data-import-errors]")
    expect(errors).to_contain_text("3")
    expect(errors).to_contain_text("name")
    expect(page.locator("[data-import-confirm]")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("gb18030")
    assert not Customer.objects.exists()

    page.goto(f"{live_server.url}/imports/")
    good = tmp_path / "customers.xlsx"
    good.write_bytes(
        xlsx_bytes([["name", "phone"], ["王芳", 13700000001], ["赵磊", "13700000002"]])
    )
    page.select_option("#i-kind", "customers")
    page.set_input_files("#i-file", str(good))
    page.locator("[data-import-form] button[type=submit]").click()
    expect(page.locator("[data-import-summary]")).to_contain_text("2")
    page.locator("[data-import-confirm]").click()
    expect(page.locator("[data-import-status]")).to_have_attribute("data-import-status", "imported")
    assert Customer.objects.count() == 2

    page.goto(f"{live_server.url}/imports/")
    expect(page.locator("[data-import-list] tbody tr")).to_have_count(2)
    assert page.dialogs == []
