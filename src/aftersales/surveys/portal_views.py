"""The customer's survey page (no account): a signed link from our mail or text message.

- A GET shows the questions and records nothing: mail scanners open links.
- The answers are one POST, taken once (a second, even at the same instant, is refused).
- A link that is not ours, tampered with or for a removed invitation is "not found" (404);
  an answered or expired one is "gone" (410). Neither page says anything about the request.
- The page speaks the customer's language (`?lang=` overrides it) and fits a phone.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import Conflict, DomainError
from aftersales.surveys import selectors, services
from aftersales.surveys.models import Invitation

FORM = "surveys/portal_survey.html"
DONE = "surveys/portal_survey_done.html"
GONE = "surveys/portal_survey_gone.html"
INVALID = "surveys/portal_survey_invalid.html"


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    asked = (request.GET.get("lang") or "").lower()
    if asked in known:
        return asked
    if invitation is not None and invitation.language in known:
        return invitation.language
    return settings.LANGUAGE_CODE


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the key: keep it out of caches and out of the Referer of any link to
    # another site ("same-origin", not "no-referrer": the form's own POST must carry its
    # Origin, or the CSRF check refuses it).
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _questions(language: str, values: dict[str, Any], errors: dict[str, list[str]]) -> list:
    return [
        {
            "question": q,
            "text": q.text_for(language),
            "value": values.get(q.code, ""),
            "error": " ".join(errors.get(q.code, [])),
            "scores": ["1", "2", "3", "4", "5"],
        }
        for q in services.questions_active()
    ]


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int
) -> HttpResponse:
    return _private(render(request, template, context, status=status))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_token(token)
    language = _language(request, invitation)
    with translation.override(language):
        base = {"token": token, "language": language, "languages": settings.LANGUAGES}
        if invitation is None:
            return _page(request, INVALID, base, 404)
        state = services.invitation_state(invitation)
        if state != "open":
            return _page(request, GONE, {**base, "state": state}, 410)
        context = {**base, "sr": invitation.request}
        if request.method == "GET":
            context["questions"] = _questions(language, {}, {})
            return _page(request, FORM, context, 200)
        values = {
            key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"
        }
        try:
            services.survey_answer(invitation, values=values)
        except Conflict:
            invitation.refresh_from_db()
            return _page(
                request, GONE, {**base, "state": services.invitation_state(invitation)}, 410
            )
        except DomainError as exc:
            context["questions"] = _questions(language, values, exc.fields)
            context["error"] = exc.message
            return _page(request, FORM, context, 400)
        return _page(request, DONE, context, 200)
