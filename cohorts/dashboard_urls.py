"""The officials' dashboards: accelerator overview, cohort board, exports."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
