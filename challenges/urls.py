from django.urls import path

from . import views

urlpatterns = [
    path("challenges/<int:challenge_id>/", views.challenge_detail, name="challenge_detail"),
    path("notifications/", views.notification_list, name="notifications"),
]
