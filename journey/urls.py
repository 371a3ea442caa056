from django.urls import path

from . import views

urlpatterns = [
    path("challenges/<int:challenge_id>/journey/", views.journey_page, name="journey"),
    path("challenges/<int:challenge_id>/journey/save/", views.artifact_save, name="artifact_save"),
    path("challenges/<int:challenge_id>/journey/pledge/", views.pledge_sign, name="pledge_sign"),
]
