"""Reading surveys: the link's invitation, and the measures of SPEC §5 (CSAT = share of
answers of 4 or 5 among the answered score questions; the mean score per question)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from aftersales.surveys import tokens
from aftersales.surveys.models import Answer, Invitation, Question, QuestionKind, Response

# Links are checked against the row's own expiry; the signature's age is only a backstop
# for rows whose expiry an administrator moved far out.
TOKEN_MAX_AGE = 400 * 24 * 3600


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a genuine link names (whatever its state), or None."""
    found = tokens.invitation_target(token, max_age=TOKEN_MAX_AGE)
    if found is None:
        return None
    invitation_id, request_id = found
    return (
        Invitation.objects.select_related("request__customer", "request__product")
        .filter(pk=invitation_id, request_id=request_id)
        .first()
    )


@dataclass
class QuestionMean:
    question: Question
    mean: float | None
    answers: int
    satisfied: int

    @property
    def csat(self) -> float | None:
        return round(100 * self.satisfied / self.answers, 1) if self.answers else None


@dataclass
class Summary:
    responses: int
    score_answers: int
    satisfied: int
    questions: list[QuestionMean] = field(default_factory=list)
    by_team: list[dict[str, Any]] = field(default_factory=list)

    @property
    def csat(self) -> float | None:
        """Share (percent, one decimal) of score answers that are 4 or 5."""
        return round(100 * self.satisfied / self.score_answers, 1) if self.score_answers else None

    @property
    def mean(self) -> float | None:
        values = [(q.mean or 0) * q.answers for q in self.questions if q.answers]
        return round(sum(values) / self.score_answers, 2) if self.score_answers else None


def responses_in(
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    team_id: int | None = None,
    source: str = "",
) -> QuerySet[Response]:
    qs = Response.objects.all()
    if start is not None:
        qs = qs.filter(answered_at__gte=start)
    if end is not None:
        qs = qs.filter(answered_at__lt=end)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if source:
        qs = qs.filter(source=source)
    return qs


def summary(
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    team_id: int | None = None,
    source: str = "",
) -> Summary:
    responses = responses_in(start=start, end=end, team_id=team_id, source=source)
    scores = Answer.objects.filter(
        response__in=responses.values("pk"),
        question__kind=QuestionKind.SCORE,
        score__isnull=False,
    )
    per_question = {
        row["question"]: row
        for row in scores.values("question").annotate(
            mean=Avg("score"), answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=4))
        )
    }
    questions = Question.objects.filter(kind=QuestionKind.SCORE).filter(
        Q(is_active=True) | Q(pk__in=list(per_question))
    )
    means = [
        QuestionMean(
            question=q,
            mean=round(per_question[q.pk]["mean"], 2) if q.pk in per_question else None,
            answers=per_question.get(q.pk, {}).get("answers", 0),
            satisfied=per_question.get(q.pk, {}).get("satisfied", 0),
        )
        for q in questions.order_by("order", "id")
    ]
    by_team = [
        {
            "team_id": row["response__team"],
            "team": row["response__team__name"] or "",
            "answers": row["answers"],
            "mean": round(row["mean"], 2),
            "csat": round(100 * row["satisfied"] / row["answers"], 1),
        }
        for row in scores.values("response__team", "response__team__name")
        .annotate(
            mean=Avg("score"), answers=Count("id"), satisfied=Count("id", filter=Q(score__gte=4))
        )
        .order_by("response__team__name")
    ]
    return Summary(
        responses=responses.count(),
        score_answers=sum(m.answers for m in means),
        satisfied=sum(m.satisfied for m in means),
        questions=means,
        by_team=by_team,
    )


def comments(
    *,
    search: str = "",
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    team_id: int | None = None,
) -> QuerySet[Answer]:
    """The text answers (suggestions, comments), newest first, optionally containing `search`."""
    responses = responses_in(start=start, end=end, team_id=team_id)
    qs = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .exclude(text="")
        .select_related("response__request", "response__team", "question")
        .order_by("-response__answered_at", "-id")
    )
    if search.strip():
        qs = qs.filter(text__icontains=search.strip())
    return qs
