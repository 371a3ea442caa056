"""Fixing drafts and correcting launched challenges (``program_admin.draft_views``)."""

from django.urls import path

from program_admin import draft_views

urlpatterns = [
    path("manage/cohorts/<int:cohort_id>/edit/", draft_views.manage_cohort_edit, name="manage_cohort_edit"),
    path("manage/cohorts/<int:cohort_id>/delete/", draft_views.manage_cohort_delete, name="manage_cohort_delete"),
    path(
        "manage/challenges/<int:challenge_id>/delete/",
        draft_views.manage_challenge_delete,
        name="manage_challenge_delete",
    ),
    path(
        "manage/challenges/<int:challenge_id>/correct/",
        draft_views.manage_challenge_correct,
        name="manage_challenge_correct",
    ),
    path(
        "manage/<slug:slug>/candidates/<int:candidate_id>/delete/",
        draft_views.manage_candidate_delete,
        name="manage_candidate_delete",
    ),
]
