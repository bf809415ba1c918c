from django.test import Client

from aftersales.notifications import services
from aftersales.notifications.models import Notification


def test_notify_once_per_key(agent):
    assert services.notify(recipient=agent, key="k1", title="SR-1: 首次响应 at risk") is not None
    assert services.notify(recipient=agent, key="k1", title="again") is None
    assert Notification.objects.filter(recipient=agent).count() == 1


def test_each_person_sees_only_their_own_and_marks_them_read(agent, technician):
    services.notify(recipient=agent, key="a", title="给客服的提醒")
    services.notify(recipient=technician, key="b", title="给技术员的提醒")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    page = client.get("/notifications/").content.decode()
    assert "给客服的提醒" in page and "给技术员的提醒" not in page
    assert client.get("/notifications/read/").status_code == 405
    assert client.post("/notifications/read/").status_code == 302
    assert Notification.objects.get(recipient=agent).read_at is not None
    assert Notification.objects.get(recipient=technician).read_at is None


def test_notifications_need_sign_in(db):
    response = Client().get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
