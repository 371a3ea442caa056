from django.urls import path

from . import views

urlpatterns = [
    path("telegram/webhook/", views.webhook, name="telegram_webhook"),
    path("accounts/telegram/link/", views.link_start, name="telegram_link"),
    path("accounts/telegram/unlink/", views.link_remove, name="telegram_unlink"),
    path("accounts/telegram/preferences/", views.link_preferences, name="telegram_preferences"),
    path("manage/<slug:slug>/telegram/", views.accelerator_settings, name="telegram_settings"),
]
