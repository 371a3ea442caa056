"""The officials' dashboards: accelerator overview, cohort board, exports."""

from django.urls import path

from dashboards import views

urlpatterns = [
    path("results/<slug:slug>/", views.public_results, name="public_results"),
    path("dashboards/", views.dashboard_index, name="dashboard_index"),
    path("dashboards/cohorts/<int:cohort_id>/", views.cohort_board, name="cohort_board"),
    path("dashboards/cohorts/<int:cohort_id>/export.csv", views.cohort_export_csv, name="cohort_export_csv"),
    path("dashboards/cohorts/<int:cohort_id>/export.xlsx", views.cohort_export_xlsx, name="cohort_export_xlsx"),
    path("dashboards/cohorts/<int:cohort_id>/briefing/", views.cohort_briefing, name="cohort_briefing"),
    path("dashboards/cohorts/<int:cohort_id>/report/", views.cohort_report, name="cohort_report"),
    path("dashboards/cohorts/<int:cohort_id>/report.pdf", views.cohort_report_pdf, name="cohort_report_pdf"),
    path(
        "dashboards/cohorts/<int:cohort_id>/report.pdf/retry",
        views.cohort_report_pdf_retry,
        name="cohort_report_pdf_retry",
    ),
    path("dashboards/<slug:slug>/report/", views.accelerator_report, name="accelerator_report"),
    path("dashboards/<slug:slug>/report.pdf", views.accelerator_report_pdf, name="accelerator_report_pdf"),
    path(
        "dashboards/<slug:slug>/report.pdf/retry",
        views.accelerator_report_pdf_retry,
        name="accelerator_report_pdf_retry",
    ),
    # Last: a slug would otherwise swallow "cohorts".
    path("dashboards/<slug:slug>/", views.accelerator_overview, name="accelerator_overview"),
]
