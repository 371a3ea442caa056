from django.urls import path

from . import views

urlpatterns = [
    path("my/", views.my_challenges, name="my_challenges"),
    path("challenges/<int:challenge_id>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:challenge_id>/checkins/", views.checkin_post, name="checkin_post"),
    path("challenges/<int:challenge_id>/blockers/", views.blocker_raise, name="blocker_raise"),
    path(
        "challenges/<int:challenge_id>/blockers/<int:blocker_id>/resolve/",
        views.blocker_resolve,
        name="blocker_resolve",
    ),
    path(
        "challenges/<int:challenge_id>/stations/<int:station_id>/done/",
        views.station_done,
        name="station_done",
    ),
    path("search/", views.challenge_search, name="challenge_search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
