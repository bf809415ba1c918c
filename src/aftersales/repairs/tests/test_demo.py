from aftersales.repairs.demo import repairs_demo_seed
from aftersales.repairs.models import SolutionPlan
from aftersales.service_requests.tests.factories import make_request, move_to


def test_demo_plans_show_each_state(agent, technician, supervisor, customer_a, team_a):
    for index in range(5):
        move_to(
            make_request(by=agent, customer=customer_a, team=team_a, title=f"空调故障 {index}"),
            "in_progress",
            by=agent,
            assignee=technician,
        )
    assert repairs_demo_seed() == 5
    assert set(SolutionPlan.objects.values_list("status", flat=True)) == {
        "draft",
        "pending_approval",
        "pending_consent",
        "approved",
    }
