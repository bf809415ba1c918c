from aftersales.mailin.demo import mailin_demo_seed
from aftersales.mailin.models import InboundMessage
from aftersales.service_requests import services as requests_services
from aftersales.service_requests.models import ServiceRequest

S = InboundMessage.Status


def test_demo_mail_shows_each_outcome_and_runs_once(customer_a):
    assert mailin_demo_seed() == 0  # nothing to write about yet
    request = requests_services.service_request_create(
        by=None, customer=customer_a, data={"title": "洗碗机显示E4故障", "channel": "phone"}
    )
    assert mailin_demo_seed() == 4
    statuses = dict(InboundMessage.objects.values_list("message_id", "status"))
    assert statuses == {
        "<demo-mail-1@example.com>": S.PROCESSED,
        "<demo-mail-2@evil.example>": S.HELD,
        "<demo-mail-3@shop.example>": S.HELD,
        "<demo-mail-4@example.com>": S.QUARANTINED,
    }
    assert request.comments.get().body == "补充一下：机器在厨房，周末全天有人。"
    assert ServiceRequest.objects.count() == 1
    assert mailin_demo_seed() == 0
