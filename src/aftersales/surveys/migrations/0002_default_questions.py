"""The default survey questions: those of the follow-up visit (SPEC §2.7)."""

from django.db import migrations

QUESTIONS = [
    # code, kind, order, required, zh-hans, zh-hant, en
    (
        "solved",
        "yes_no",
        10,
        True,
        "您的问题解决了吗？",
        "您的問題解決了嗎？",
        "Is your problem solved?",
    ),
    (
        "solution",
        "score_1_5",
        20,
        False,
        "您对解决方案的满意程度？",
        "您對解決方案的滿意程度？",
        "How satisfied are you with the solution?",
    ),
    (
        "attitude",
        "score_1_5",
        30,
        False,
        "您对服务人员态度的满意程度？",
        "您對服務人員態度的滿意程度？",
        "How satisfied are you with our staff's attitude?",
    ),
    (
        "speed",
        "score_1_5",
        40,
        False,
        "您对处理速度的满意程度？",
        "您對處理速度的滿意程度？",
        "How satisfied are you with the speed of our service?",
    ),
    (
        "suggestions",
        "text",
        50,
        False,
        "您对我们还有什么意见或建议？",
        "您對我們還有什麼意見或建議？",
        "Is there anything we could do better?",
    ),
]


def add(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    for code, kind, order, required, hans, hant, en in QUESTIONS:
        Question.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "order": order,
                "required": required,
                "text_zh_hans": hans,
                "text_zh_hant": hant,
                "text_en": en,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("surveys", "Question").objects.filter(
        code__in=[q[0] for q in QUESTIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
