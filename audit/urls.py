"""History pages (the audit trail), for program admins."""

from django.urls import path

from audit import views as audit_views

urlpatterns = [
    path("history/challenges/<int:challenge_id>/", audit_views.challenge_history, name="challenge_history"),
    path("history/cohorts/<int:cohort_id>/", audit_views.cohort_history, name="cohort_history"),
    path("history/accelerators/<slug:slug>/", audit_views.accelerator_history, name="accelerator_history"),
]
