from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import theme, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("theme/<slug:slug>.css", theme.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
    path("", include("challenges.urls")),
]
