"""URLs of the fidelity harness (used through `override_settings(ROOT_URLCONF=...)`)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("sync/", views.sync_view),
    path("async/", views.async_view),
    path("drf-sync/", views.DrfSyncView.as_view()),
    path("adrf/", views.AdrfView.as_view()),
    path("sync-stream/", views.sync_stream),
    path("async-stream/", views.async_stream),
    path("template/", views.template_view),
]
