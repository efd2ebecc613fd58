"""The console's own pages, under /admin/console/ (staff only, each view checks its permission)."""

from django.urls import path

from console import dashboard, live

app_name = "console"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("runs/<int:run_id>/live.json", live.run_live, name="run-live"),
]
