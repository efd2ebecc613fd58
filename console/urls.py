"""The console's own pages, under /admin/console/ (staff only, each view checks its permission)."""

from django.urls import path

from console import live

app_name = "console"

urlpatterns = [
    path("runs/<int:run_id>/live.json", live.run_live, name="run-live"),
]
