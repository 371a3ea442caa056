from django.urls import path

from . import views

urlpatterns = [
    path("invitations/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
]
