from aftersales.parts.tests.factories import make_part, make_van, stocked
from aftersales.repair_records.demo import repair_records_demo_seed
from aftersales.repair_records.models import Confirmation, PartUsed
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request, move_to


def test_demo_records_with_parts_and_answers(agent, technician, customer_a, team_a):
    stocked(make_van(technician), make_part(part_number="AC-CAP-35"), 3)
    for index in range(4):
        move_to(
            make_request(by=agent, customer=customer_a, team=team_a, title=f"空调故障 {index}"),
            "resolved",
            by=agent,
            assignee=technician,
        )
    assert repair_records_demo_seed() == 4
    assert PartUsed.objects.filter(source="stock").count() == 3
    assert PartUsed.objects.filter(source="outside").count() == 1
    assert sorted(Confirmation.objects.values_list("satisfied", flat=True)) == [False, True, True]
    assert ServiceRequest.objects.filter(status="reopened", reopen_count=1).count() == 1
