from aftersales.accounts.models import Team
from aftersales.quality.demo import quality_demo_seed
from aftersales.quality.models import ProblemRecord
from aftersales.service_requests.tests.factories import make_request


def test_demo_records_follow_the_requests(
    agent, supervisor, qc_team, qc_staff, team_b, customer_a, product
):
    qc_team.supervisor = supervisor
    qc_team.save()
    Team.objects.filter(pk=team_b.pk).update(supervisor=supervisor)
    for batch in ("B1", "B2", "B2"):
        make_request(
            by=agent,
            customer=customer_a,
            product=product,
            batch_number=batch,
            category="product_quality",
        )
    make_request(by=agent, customer=customer_a, product=product, category="software")

    assert quality_demo_seed() == 2

    quality = ProblemRecord.objects.get(team=qc_team)
    assert quality.status == "investigating" and quality.root_cause
    assert list(quality.batches.values_list("batch_number", flat=True)) == ["B2"]
    assert quality.requests.count() == 2
    assert [a.is_done for a in quality.actions.all()] == [True, False]
    assert ProblemRecord.objects.get(team=team_b).requests.count() == 1
