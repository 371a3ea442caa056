"""The program admin's pages: intake, cohorts, challenge lists, people, launch."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
