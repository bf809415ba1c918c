"""Demo problem records: the most frequent product-quality batch of the demo's requests gets
a record owned by production/QC, under investigation with its root cause and two actions
(one done), its requests linked; the most frequent software fault's model gets one for R&D,
just opened.

Built through the services, like the rest of the demo. Called by `core.demo.demo_seed` after
the requests and the staff exist.
"""

import datetime

from django.db.models import Count
from django.utils import timezone

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.quality import services
from aftersales.service_requests.models import ServiceRequest


def _supervisor_of(kind: str) -> tuple[Team | None, User | None]:
    team = Team.objects.filter(kind=kind).order_by("id").first()
    if team is None:
        return None, None
    lead = team.supervisor or (
        User.objects.filter(role=User.Role.SUPERVISOR, is_active=True, teams=team)
        .order_by("username")
        .first()
    )
    return team, lead


def quality_demo_seed() -> int:
    """Up to two problem records; returns how many were made."""
    made = 0
    team, lead = _supervisor_of(Team.Kind.QUALITY)
    top = (
        ServiceRequest.objects.filter(category="product_quality", product__isnull=False)
        .exclude(batch_number="")
        .values("product_id", "batch_number")
        .annotate(n=Count("id"))
        .order_by("-n", "product_id", "batch_number")
        .first()
    )
    if team is not None and lead is not None and top is not None:
        product = Product.objects.get(pk=top["product_id"])
        requests = list(
            ServiceRequest.objects.filter(
                category="product_quality", product=product, batch_number=top["batch_number"]
            ).order_by("received_at")[:20]
        )
        problem = services.problem_create(
            by=lead,
            data={
                "title": f"{product.model} 批次 {top['batch_number']} 故障集中",
                "symptom": "同一批次多台反映开机后不久出现故障，维修记录显示多为同类部件失效。",
                "team": team,
                "products": [product],
                "batches": [top["batch_number"]],
            },
            requests=requests,
        )
        worker = team.members.filter(role=User.Role.DEPARTMENT, is_active=True).first() or lead
        problem = services.problem_transition(problem, "investigate", by=worker)
        problem = services.problem_update(
            problem, by=worker, data={"root_cause": "来料电容耐温等级不足，高温工况下提前失效。"}
        )
        today = timezone.localdate()
        done = services.problem_action_add(
            problem,
            by=worker,
            data={
                "kind": "corrective",
                "description": "隔离库存中该批次电容，对已售机器安排上门更换。",
                "owner": worker,
                "due_on": today + datetime.timedelta(days=3),
            },
        )
        services.problem_action_done(done, by=worker, result="库存已隔离，已通知各服务组。")
        services.problem_action_add(
            problem,
            by=worker,
            data={
                "kind": "preventive",
                "description": "修订来料检验标准，增加电容高温老化抽检。",
                "owner": worker,
                "due_on": today + datetime.timedelta(days=14),
            },
        )
        made += 1
    team, lead = _supervisor_of(Team.Kind.RND)
    software = (
        ServiceRequest.objects.filter(category="software", product__isnull=False)
        .values("product_id")
        .annotate(n=Count("id"))
        .order_by("-n", "product_id")
        .first()
    )
    if team is not None and lead is not None and software is not None:
        product = Product.objects.get(pk=software["product_id"])
        services.problem_create(
            by=lead,
            data={
                "title": f"{product.model} 固件异常",
                "symptom": "客户反映升级固件后设置无法保存。",
                "team": team,
                "products": [product],
            },
            requests=list(
                ServiceRequest.objects.filter(category="software", product=product).order_by(
                    "received_at"
                )[:10]
            ),
        )
        made += 1
    return made
