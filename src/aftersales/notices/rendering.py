"""Turning an event's values into a subject and a text, in one language.

The product's own texts are templates under `templates/notices/defaults/` (translated
through the message catalogues). An administrator's text is a template too, but compiled
by an engine that loads nothing (no include, no extends, no tag libraries) and gets only
the event's plain-text values, so a template can say things but not reach anything.
"""

import logging
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import VariableNode
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.notices.events import EVENTS
from aftersales.notices.models import MessageTemplate

log = logging.getLogger(__name__)

SANDBOX = Engine(loaders=[], libraries={}, autoescape=False, debug=False)
SMS_MAX_CHARS = 500


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    customised: bool


class TemplateProblem(ValueError):
    """An administrator's text that cannot be used; `field` is subject or body."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _default_name(event: str, part: str) -> str:
    return f"notices/defaults/{event}.{part}.txt"


def _tidy(text: str, channel: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy = "\n".join(lines)
    while "\n\n\n" in tidy:
        tidy = tidy.replace("\n\n\n", "\n\n")
    if channel == "sms":
        return " ".join(tidy.split())[:SMS_MAX_CHARS]
    return tidy + "\n"


def default_render(event: str, channel: str, language: str, values: dict[str, str]) -> Rendered:
    part = "email" if channel == "email" else "sms"
    with translation.override(language):
        subject = (
            " ".join(render_to_string(_default_name(event, "subject"), values).split())
            if channel == "email"
            else ""
        )
        body = render_to_string(_default_name(event, part), values)
    return Rendered(subject=subject[:200], body=_tidy(body, channel), customised=False)


def default_source(event: str, channel: str, language: str) -> tuple[str, str]:
    """The product's text in `language` with each value left as {{ name }}: where an
    administrator starts from."""
    placeholders = {name: "{{ " + name + " }}" for name in EVENTS[event].all_variables()}
    rendered = default_render(event, channel, language, placeholders)
    return rendered.subject, rendered.body


def check(event: str, field: str, source: str) -> None:
    """Raises TemplateProblem for a template that does not compile or names a value the
    event does not have."""
    try:
        template = SANDBOX.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            field, _("This text is not a valid template: %(error)s") % {"error": exc}
        ) from exc
    spec = EVENTS[event]
    known = spec.all_variables()
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        name = getattr(var, "var", None)
        if isinstance(name, str) and name.split(".")[0] not in known:
            raise TemplateProblem(
                field,
                _("There is no value called “%(name)s” in this message. Use: %(names)s.")
                % {"name": name, "names": ", ".join(sorted(known))},
            )
    try:
        template.render(Context(spec.sample_values(), autoescape=False))
    # Whatever stops it here (an include of a file, a filter's error) would stop a message.
    except Exception as exc:
        raise TemplateProblem(
            field, _("This text cannot be filled in: %(error)s") % {"error": exc}
        ) from exc


def _sandbox_render(source: str, values: dict[str, str]) -> str:
    return SANDBOX.from_string(source).render(Context(values, autoescape=False))


def custom_render(template: MessageTemplate, values: dict[str, str]) -> Rendered:
    subject = (
        " ".join(_sandbox_render(template.subject, values).split())
        if template.channel == "email"
        else ""
    )
    body = _sandbox_render(template.body, values)
    return Rendered(subject=subject[:200], body=_tidy(body, template.channel), customised=True)


def render(event: str, channel: str, language: str, values: dict[str, str]) -> Rendered:
    """The administrator's text if there is one, else the product's. A text that fails
    (it was checked when saved, so this is rare) falls back to the product's: a message is
    never lost to a template."""
    template = MessageTemplate.objects.filter(
        event=event, channel=channel, language=language
    ).first()
    if template is not None:
        try:
            with translation.override(language):
                return custom_render(template, values)
        # A broken template must not stop the service telling the customer.
        except Exception:
            log.exception("Message template %s failed; the default text was used", template.pk)
    return default_render(event, channel, language, values)
