"""The evaluation lab's pages: datasets and evaluations, one evaluation's two versions side by side, and
promoting its candidate to the version new runs use (with a confirmation)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from evaluations.models import Dataset, Evaluation
from evaluations.scoring import evaluation_report, score_rows
from evaluations.services.promotion import CannotPromote, promote, promotion_problem
from vicbot.models import Assistant

VIEW = "evaluations.view_evaluation"
PROMOTE = "evaluations.promote_evaluation"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


@require_GET
@staff_member_required
def evaluations_index(request):
    _require(request, VIEW)
    context = {
        **admin.site.each_context(request), "title": "Evaluations",
        "datasets": Dataset.objects.select_related("pipeline")[:200],
        "evaluations": Evaluation.objects.select_related("candidate", "baseline", "dataset", "pipeline",
                                                         "promoted_version")[:200],
    }
    return render(request, "console/evaluations.html", context)


def _confusion(version) -> list[dict]:
    """The 2×2 matrix as rows (partners' decision) of cells (the version's verdict)."""
    return [{"decision": decision, "cells": [advance, passed]}
            for decision, advance, passed in version.versus_decisions.confusion.rows()]


def _run_links(run_ids: list[int]) -> list[dict]:
    return [{"id": run_id, "url": reverse("admin:vicbot_run_change", args=[run_id])} for run_id in run_ids]


@require_GET
@staff_member_required
def evaluation_detail(request, evaluation_id: int):
    _require(request, VIEW)
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("candidate", "baseline", "dataset", "pipeline", "promoted_version"),
        pk=evaluation_id)
    report = evaluation_report(evaluation)
    baseline_rows = dict(score_rows(report.baseline))
    context = {
        **admin.site.each_context(request), "title": f"Evaluation {evaluation.pk}: {evaluation.candidate} "
                                                     f"against {evaluation.baseline}",
        "evaluation": evaluation, "report": report,
        "rows": [{"label": label, "candidate": value, "baseline": baseline_rows.get(label, "")}
                 for label, value in score_rows(report.candidate)],
        "confusions": [("Candidate " + str(evaluation.candidate), _confusion(report.candidate)),
                       ("Baseline " + str(evaluation.baseline), _confusion(report.baseline))],
        "disagreements": [{"pitch": pitch, "candidate_runs": _run_links(pitch.candidate_runs),
                           "baseline_runs": _run_links(pitch.baseline_runs)} for pitch in report.disagreements],
        "promotion_problem": promotion_problem(evaluation),
        "can_promote": request.user.has_perm(PROMOTE),
        "current": Assistant.objects.current(evaluation.baseline.name),
    }
    return render(request, "console/evaluation.html", context)


@require_http_methods(["GET", "POST"])
@staff_member_required
def evaluation_promote(request, evaluation_id: int):
    """GET: what promoting would do, and a confirmation box. POST (box ticked): promote."""
    _require(request, PROMOTE)
    evaluation = get_object_or_404(Evaluation.objects.select_related("candidate", "baseline"), pk=evaluation_id)
    back = reverse("console:evaluation", args=[evaluation.pk])
    if request.method == "POST":
        if request.POST.get("confirmed") != "yes":
            messages.error(request, "Tick the box to confirm the promotion.")
            return redirect("console:evaluation-promote", evaluation.pk)
        try:
            promoted = promote(evaluation, user=request.user)
        except CannotPromote as exc:
            messages.error(request, str(exc))
            return redirect(back)
        messages.success(request, f"Promoted {evaluation.candidate} as {promoted}: new runs use it.")
        return redirect(back)
    context = {
        **admin.site.each_context(request), "title": f"Promote {evaluation.candidate}?",
        "evaluation": evaluation, "problem": promotion_problem(evaluation), "back": back,
        "current": Assistant.objects.current(evaluation.baseline.name),
    }
    return render(request, "console/evaluation_promote.html", context)
