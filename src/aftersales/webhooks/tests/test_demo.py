import pytest

from aftersales.webhooks.demo import webhooks_demo_seed
from aftersales.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db


def test_the_demo_webhook_is_made_once_and_sends_nothing(admin_user):
    assert webhooks_demo_seed() == 1
    assert webhooks_demo_seed() == 0
    hook = WebhookSubscription.objects.get()
    assert not hook.is_active and hook.allow_private and hook.created_by == admin_user


def test_no_demo_webhook_without_an_administrator(agent):
    assert webhooks_demo_seed() == 0
