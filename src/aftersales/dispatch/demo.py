"""Dispatch configuration of the demo: SPEC §2.3's routing, each team's way of handing
out work, and what each technician is good at. Loaded after the demo's history is
replayed, so that the history stays as written and new requests are routed."""

from aftersales.accounts.models import Team, User
from aftersales.core import demo_data
from aftersales.dispatch.models import RoutingRule, TechnicianProfile

NORTH = [name for name, region, _d, _s in demo_data.CITIES if region == "north"]
SOUTH = [name for name, region, _d, _s in demo_data.CITIES if region == "south"]
LINES = {key: chinese for key, (chinese, _english) in demo_data.LINES.items()}

# (name, English name, order, conditions, team key)
RULES = [
    (
        "投诉 → 投诉处理组",
        "Complaints → complaints team",
        10,
        {"kinds": ["complaint"]},
        "complaints",
    ),
    ("软件故障 → 研发部", "Software faults → R&D", 20, {"categories": ["software"]}, "rnd"),
    (
        "退换货 → 技术支持部",
        "Returns and replacements → technical support",
        30,
        {"kinds": ["return", "replacement"]},
        "technical",
    ),
    (
        "产品质量（无需上门）→ 质量控制部",
        "Product quality, no visit → production / QC",
        40,
        {"categories": ["product_quality"], "kinds": ["consultation"]},
        "quality",
    ),
    (
        "使用问题 → 技术支持部",
        "Usage questions → technical support",
        50,
        {"categories": ["usage", "consultation"], "kinds": ["consultation"]},
        "technical",
    ),
    (
        "华北上门 → 上门服务一组",
        "North, on site → field service North",
        60,
        {"regions": NORTH},
        "field_north",
    ),
    (
        "华南上门 → 上门服务二组",
        "South, on site → field service South",
        70,
        {"regions": SOUTH},
        "field_south",
    ),
]
STRATEGIES = {
    "desk": Team.Strategy.LEAST_OPEN,
    "field_north": Team.Strategy.SKILL_MATCH,
    "field_south": Team.Strategy.SKILL_MATCH,
    "technical": Team.Strategy.ROUND_ROBIN,
}
# username: (skills, product line keys, regions, capacity)
PROFILES = {
    "tech1": (["product_quality", "technical"], ["ac"], NORTH[:2], 25),
    "tech2": (["product_quality", "usage"], ["wh", "wp"], NORTH, 25),
    "tech3": (["product_quality", "technical"], ["ac", "ap"], SOUTH[:2], 25),
    "tech4": (["usage", "product_quality"], ["wh", "wp"], SOUTH, 25),
    "tech5": (["usage", "consultation", "technical"], ["ac", "wh", "wp", "ap"], [], 40),
    "tech6": (["product_quality", "technical"], ["ac", "ap"], [], 40),
    "tech7": (["software"], ["ac", "ap"], [], None),
}


def dispatch_demo_seed(*, teams: dict[str, Team]) -> None:
    for name, name_en, order, conditions, team_key in RULES:
        RoutingRule.objects.create(
            name=name, name_en=name_en, order=order, team=teams[team_key], **conditions
        )
    for key, strategy in STRATEGIES.items():
        Team.objects.filter(pk=teams[key].pk).update(assignment_strategy=strategy)
    for username, (skills, lines, regions, capacity) in PROFILES.items():
        TechnicianProfile.objects.create(
            user=User.objects.get(username=username),
            skills=skills,
            product_lines=[LINES[key] for key in lines],
            regions=regions,
            capacity=capacity,
        )
