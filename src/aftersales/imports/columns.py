"""The columns of each kind of import: the English name, the Chinese names accepted for it,
whether it is required, and a one-line description (for the templates and the docs).

Headers are matched without regard to case, spaces, dashes and underscores ("Serial number",
"serial_number" and "序列号" are the same column)."""

import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.imports.models import Kind


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool
    help: Promise
    example: str = ""


CUSTOMER_COLUMNS = [
    Column(
        "external_id",
        ("外部编号", "客户编号"),
        False,
        _("Your own id of the customer; a second import matches on it first."),
        "C-1001",
    ),
    Column(
        "name", ("姓名", "名称", "客户名称"), True, _("Person's or organisation's name."), "张伟"
    ),
    Column(
        "kind",
        ("类型", "客户类型"),
        False,
        _("person or organisation (default person)."),
        "person",
    ),
    Column("organisation", ("单位", "公司"), False, _("Organisation the person belongs to."), ""),
    Column(
        "phone",
        ("电话", "手机", "手机号", "联系电话"),
        False,
        _("Phone number; phone or email is required. Matched without spaces or dashes."),
        "13800138000",
    ),
    Column("email", ("邮箱", "电子邮件", "邮件"), False, _("Email address."), "zhang@example.cn"),
    Column("address", ("地址",), False, _("Address."), "上海市浦东新区世纪大道100号"),
    Column("region", ("地区", "区域"), False, _("Region or city."), "上海"),
    Column("language", ("语言",), False, _("Language for mails: zh-hans, zh-hant or en."), ""),
]

_CUSTOMER_REF = [
    Column(
        "customer_external_id",
        ("客户外部编号",),
        False,
        _("The customer's external id from a customer import."),
        "C-1001",
    ),
    Column(
        "customer_phone", ("客户电话",), False, _("Or: the customer's phone number."), "13800138000"
    ),
    Column("customer_email", ("客户邮箱",), False, _("Or: the customer's email."), ""),
]

UNIT_COLUMNS = [
    Column(
        "serial_number",
        ("序列号", "SN", "机身编号"),
        True,
        _("Unique serial number."),
        "SN2026000001",
    ),
    Column(
        "product_model",
        ("产品型号", "型号"),
        True,
        _("Model of a product in the catalogue."),
        "KFR-35GW",
    ),
    Column("batch_number", ("批次号", "批号"), False, _("Production batch."), "B2601-KF01"),
    Column("production_date", ("生产日期",), False, _("Date, YYYY-MM-DD."), "2026-01-05"),
    Column("purchase_date", ("购买日期",), False, _("Date, YYYY-MM-DD."), "2026-02-10"),
    Column(
        "purchase_channel",
        ("购买渠道", "渠道"),
        False,
        _("direct, dealer, online, project or other."),
        "online",
    ),
    *_CUSTOMER_REF,
    Column(
        "warranty_end",
        ("保修截止", "保修截止日期"),
        False,
        _("Only to override the end derived from the purchase date."),
        "",
    ),
]

REQUEST_COLUMNS = [
    Column(
        "number",
        ("服务单号", "单号"),
        False,
        _("The request's number; empty: a new SR number of the day received."),
        "",
    ),
    Column(
        "external_reference",
        ("外部单号", "来源编号"),
        False,
        _(
            "Your own id of the request; a second import matches on it (else on number, else the row)."
        ),
        "OLD-2024-0001",
    ),
    Column(
        "received_at",
        ("受理时间", "接收时间"),
        True,
        _("When it was received: YYYY-MM-DD HH:MM, service time zone (or with an offset)."),
        "2025-03-01 09:30",
    ),
    Column(
        "channel",
        ("渠道", "来源渠道"),
        False,
        _("phone, web, email, … (default: import)."),
        "phone",
    ),
    Column(
        "category",
        ("类别", "分类"),
        False,
        _("product_quality, usage, … (default other)."),
        "product_quality",
    ),
    Column(
        "kind",
        ("类型", "服务类型"),
        False,
        _("repair, installation, … (default repair)."),
        "repair",
    ),
    Column(
        "priority", ("优先级",), False, _("urgent, high, medium or low (default medium)."), "medium"
    ),
    Column("title", ("标题", "问题"), True, _("Short description of the problem."), "空调不制冷"),
    Column("description", ("描述", "问题描述"), False, _("Details."), ""),
    *_CUSTOMER_REF,
    Column(
        "serial_number",
        ("序列号", "SN"),
        False,
        _("Unit's serial number (linked if known)."),
        "SN2026000001",
    ),
    Column(
        "status",
        ("状态",),
        True,
        _("new, in_progress, resolved, closed or cancelled."),
        "closed",
    ),
    Column(
        "first_responded_at",
        ("首次响应时间",),
        False,
        _("Date and time of the first response."),
        "",
    ),
    Column(
        "resolved_at",
        ("解决时间",),
        False,
        _("Required for resolved and closed."),
        "2025-03-02 15:00",
    ),
    Column("closed_at", ("关闭时间",), False, _("Required for closed."), "2025-03-05 10:00"),
    Column("cancelled_at", ("取消时间",), False, _("Required for cancelled."), ""),
    Column(
        "resolution",
        ("解决方案", "处理结果"),
        False,
        _("Required for resolved and closed."),
        "更换压缩机电容",
    ),
    Column(
        "assignee",
        ("处理人", "工程师"),
        False,
        _("Username of the staff member who worked it."),
        "",
    ),
    Column("team", ("团队", "班组"), False, _("Name of the team."), ""),
]

COLUMNS = {
    Kind.CUSTOMERS: CUSTOMER_COLUMNS,
    Kind.UNITS: UNIT_COLUMNS,
    Kind.REQUESTS: REQUEST_COLUMNS,
}


def header_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return "".join(c for c in folded if c.isalnum())


def header_map(kind: str) -> dict[str, str]:
    """Every accepted header (folded) → the column's name."""
    found: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in (column.name, *column.aliases):
            found[header_key(name)] = column.name
    return found
