from django import template
from django.utils.translation import get_language

from aftersales.surveys.models import Question

register = template.Library()


@register.filter
def question_text(question: Question) -> str:
    """The question in the reader's language."""
    return question.text_for(get_language() or "")
