"""The respondent's pages: no account, a one-use link or a short code, a phone-sized form that
keeps each answer as it is chosen, and one counted response per link."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from parindex.accounts.security import security_event
from parindex.survey import selectors, services
from parindex.survey.errors import InvitationUsedError, SurveyError
from parindex.survey.models import Invitation


def _invitation(code: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("campaign", "campaign__cycle", "unit")
        .filter(code=services.normalised_code(code))
        .first()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    """A box to type the code printed on a card (*nhập mã phiếu*)."""
    error = ""
    if request.method == "POST":
        code = services.normalised_code(request.POST.get("code", ""))
        if code and _invitation(code) is not None:
            return redirect("survey:answer", code=code)
        error = _("No survey has this code. Check the code on your card.")
        security_event("survey_code_unknown", request)
    return render(request, "survey/enter_code.html", {"error": error}, status=400 if error else 200)


def _closed(request: HttpRequest, error: SurveyError, invitation: Invitation) -> HttpResponse:
    status = 410 if isinstance(error, InvitationUsedError) else 403
    return render(
        request,
        "survey/closed.html",
        {"message": str(error), "campaign": invitation.campaign},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, code: str) -> HttpResponse:
    invitation = _invitation(code)
    if invitation is None:
        return render(
            request,
            "survey/enter_code.html",
            {"error": _("No survey has this code. Check the code on your card.")},
            status=404,
        )
    try:
        response = services.invitation_open(invitation)
        document = services.questionnaire_for(invitation)
    except SurveyError as error:
        return _closed(request, error, invitation)
    problem = ""
    if request.method == "POST":
        answers = {q.code: request.POST.get(f"q_{q.code}", "") for q in document.questions}
        personal = {f.code: request.POST.get(f"p_{f.code}", "") for f in document.personal}
        try:
            services.response_submit(invitation=invitation, answers=answers, personal=personal)
        except InvitationUsedError as error:
            return _closed(request, error, invitation)
        except SurveyError as error:
            problem = str(error)
            response.answers = {**response.answers, **{q: a for q, a in answers.items() if a}}
        else:
            return render(request, "survey/thanks.html", {"campaign": invitation.campaign})
    return render(
        request,
        "survey/answer.html",
        {
            "invitation": invitation,
            "document": document,
            "answers": response.answers,
            "problem": problem,
            "group_label": selectors.group_label(invitation.campaign.cycle, invitation.group),
        },
        status=400 if problem else 200,
    )


@require_POST
def answer_save(request: HttpRequest, code: str) -> JsonResponse:
    """Autosave of one answer: {"saved": true, "answered": n} or {"error": "..."}."""
    invitation = _invitation(code)
    if invitation is None:
        return JsonResponse({"error": _("Unknown code.")}, status=404)
    try:
        response = services.answer_save(
            invitation=invitation,
            question=request.POST.get("question", ""),
            answer=request.POST.get("answer", ""),
        )
    except InvitationUsedError as error:
        return JsonResponse({"error": str(error)}, status=410)
    except SurveyError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"saved": True, "answered": len(response.answers)})
