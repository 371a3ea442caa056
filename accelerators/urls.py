from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import passwords, theme, views
from .access_policy import PUBLIC, PUBLIC_ACTION, PUBLIC_PAGE, SIGNED_IN, SIGNED_IN_PAGE, access
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
    # Self-service password change and reset (accelerators/passwords.py).
    path(
        "accounts/password/change/", access(SIGNED_IN)(passwords.PasswordChangeView.as_view()), name="password_change"
    ),
    path(
        "accounts/password/change/done/",
        access(SIGNED_IN_PAGE)(require_GET(login_required(TemplateView.as_view(**passwords.CHANGE_DONE)))),
        name="password_change_done",
    ),
    path("accounts/password/reset/", access(PUBLIC)(passwords.PasswordResetView.as_view()), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        access(PUBLIC_PAGE)(TemplateView.as_view(**passwords.RESET_DONE)),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/complete/",
        access(PUBLIC_PAGE)(TemplateView.as_view(**passwords.RESET_COMPLETE)),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        access(PUBLIC)(passwords.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("theme/<slug:slug>.css", theme.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
    path("", include("challenges.urls")),
    path("", include("cohorts.urls")),
    path("", include("cohorts.dashboard_urls")),
    path("", include("accelerators.audit_urls")),
]
