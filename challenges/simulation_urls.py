"""The simulation page (``challenges.simulation_views``)."""

from django.urls import path

from challenges import simulation_views

urlpatterns = [
    path("simulate/", simulation_views.simulation_index, name="simulation_index"),
    path("simulate/cohorts/<int:cohort_id>/", simulation_views.simulation_page, name="simulation_page"),
]
