from django.urls import path

from vicbot import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
