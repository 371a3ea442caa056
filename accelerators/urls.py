from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from members.policy import PUBLIC, PUBLIC_ACTION, access

from . import theme, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/login/", access(PUBLIC)(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", access(PUBLIC_ACTION)(auth_views.LogoutView.as_view()), name="logout"),
    path("theme/<slug:slug>.css", theme.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
    path("", include("challenges.urls")),
    path("", include("program_admin.urls")),
    path("", include("members.urls")),
    path("", include("dashboards.urls")),
    path("", include("audit.urls")),
]
