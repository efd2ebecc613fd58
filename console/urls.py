"""The console's own pages, under /admin/console/ (staff only, each view checks its permission)."""

from django.urls import path

from console import activity, assistants, attention, dashboard, evaluations, live

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("attention/", attention.attention, name="attention"),
    path("activity/", activity.activity, name="activity"),
    path("runs/<int:run_id>/live.json", live.run_live, name="run-live"),
    path("runs/live.json", live.runs_live, name="runs-live"),
    path("assistants/diff/", assistants.assistant_diff, name="assistant-diff"),
    path("assistants/<int:assistant_id>/restore/", assistants.assistant_restore, name="assistant-restore"),
    path("evaluations/", evaluations.evaluations_index, name="evaluations"),
    path("evaluations/<int:evaluation_id>/", evaluations.evaluation_detail, name="evaluation"),
    path("evaluations/<int:evaluation_id>/promote/", evaluations.evaluation_promote, name="evaluation-promote"),
]
