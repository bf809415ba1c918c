"""The console's navigation marks the section of the page shown, and only that one (many
sections name their list page "list")."""

import re

import pytest
from django.urls import reverse


def _active_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="active">', html)


@pytest.mark.parametrize(
    "page",
    ["service_requests:list", "reports:list", "quality:list", "tasks:list", "dashboards:manager"],
)
def test_only_the_pages_section_is_marked(client, admin_user, page):
    client.force_login(admin_user)
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert _active_links(response.content.decode()) == [reverse(page)]
