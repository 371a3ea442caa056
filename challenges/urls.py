from django.urls import path

from . import views

urlpatterns = [
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("notifications/", views.notification_list, name="notifications"),
]
