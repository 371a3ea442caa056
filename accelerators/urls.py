from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import theme, views
from .access_policy import PUBLIC, PUBLIC_ACTION, access
from .auth_forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path(
        "accounts/login/",
        access(PUBLIC)(auth_views.LoginView.as_view(authentication_form=SignInForm)),
        name="login",
    ),
    path("accounts/logout/", access(PUBLIC_ACTION)(auth_views.LogoutView.as_view()), name="logout"),
    path("theme/<slug:slug>.css", theme.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
    path("", include("challenges.urls")),
    path("", include("cohorts.urls")),
    path("", include("cohorts.dashboard_urls")),
    path("", include("accelerators.audit_urls")),
]
