from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/console/", include("console.urls")),  # before the admin's catch-all
    path("admin/", admin.site.urls),
    path("", include("vicbot.urls")),
]
