"""The program admin's pages: intake, cohorts, challenge lists, people, launch."""

from django.urls import path

from program_admin import views

urlpatterns = [
    path("manage/", views.manage_index, name="manage_index"),
    path("manage/<slug:slug>/", views.manage_home, name="manage_home"),
    path("manage/<slug:slug>/candidates/", views.manage_candidates, name="manage_candidates"),
    path("manage/<slug:slug>/candidates/pick/", views.manage_candidates_pick, name="manage_candidates_pick"),
    path(
        "manage/<slug:slug>/candidates/<int:candidate_id>/",
        views.manage_candidate_edit,
        name="manage_candidate_edit",
    ),
    path("manage/<slug:slug>/cohorts/new/", views.manage_cohort_create, name="manage_cohort_create"),
    path("manage/<slug:slug>/cohorts/clone/", views.manage_cohort_clone, name="manage_cohort_clone"),
    path(
        "manage/<slug:slug>/challenges-template.csv",
        views.manage_import_template,
        {"fmt": "csv"},
        name="manage_import_template_csv",
    ),
    path(
        "manage/<slug:slug>/challenges-template.xlsx",
        views.manage_import_template,
        {"fmt": "xlsx"},
        name="manage_import_template_xlsx",
    ),
    path("manage/cohorts/<int:cohort_id>/", views.manage_cohort, name="manage_cohort"),
    path(
        "manage/cohorts/<int:cohort_id>/challenges/new/", views.manage_challenge_create, name="manage_challenge_create"
    ),
    path("manage/cohorts/<int:cohort_id>/import/", views.manage_import, name="manage_import"),
    path("manage/cohorts/<int:cohort_id>/launch/", views.manage_launch, name="manage_launch"),
    path("manage/cohorts/<int:cohort_id>/team/", views.manage_cohort_team, name="manage_cohort_team"),
    path("manage/imports/<int:job_id>/", views.manage_import_job, name="manage_import_job"),
    path("manage/imports/<int:job_id>/preview/", views.manage_import_preview, name="manage_import_preview"),
    path("manage/challenges/<int:challenge_id>/", views.manage_challenge, name="manage_challenge"),
    path("manage/challenges/<int:challenge_id>/people/", views.manage_challenge_people, name="manage_challenge_people"),
    path(
        "manage/challenges/<int:challenge_id>/withdraw/",
        views.manage_challenge_withdraw,
        name="manage_challenge_withdraw",
    ),
    path(
        "manage/challenges/<int:challenge_id>/team-lead/",
        views.manage_team_lead_replace,
        name="manage_team_lead_replace",
    ),
]
