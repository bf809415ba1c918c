"""A supervisor opens the service overview: the vendored ECharts draws the charts on canvases
from the embedded numbers, and each chart has its table. In headless Debian Chromium."""

import pytest
from playwright.sync_api import expect

from aftersales.service_requests.tests.factories import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sees_the_charts_and_their_tables(
    live_server, new_page, agent, supervisor, customer_a, team_a
):
    make_request(by=agent, customer=customer_a, channel="phone", team=team_a)
    make_request(by=agent, customer=customer_a, channel="web", team=team_a)
    page = new_page(locale="en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", f"pass-{supervisor.username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Dashboards").click()
    page.wait_for_url(f"{live_server.url}/dashboards/")

    intake = page.locator('[data-table="intake"]')
    canvas = intake.locator("[data-chart] canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    # Something was drawn: the canvas is not blank.
    painted = canvas.evaluate(
        """c => {
          const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
          return false;
        }"""
    )
    assert painted
    assert page.evaluate(
        "window.echarts.getInstanceByDom(document.querySelector('[data-chart]')) !== undefined"
    )
    # The chart's table: today's row says 2 received.
    intake.locator("summary").click()
    table = intake.locator("table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").last.locator("td").first).to_have_text("2")
    expect(page.locator('[data-tile="received"] dd')).to_have_text("2")
