from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from identity.views import SignInView
from members import passwords
from members.policy import PUBLIC, PUBLIC_ACTION, PUBLIC_PAGE, SIGNED_IN, SIGNED_IN_PAGE, access

from . import theme, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", views.account, name="account"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path(
        "accounts/login/",
        access(PUBLIC)(SignInView.as_view()),
        name="login",
    ),
    path("accounts/logout/", access(PUBLIC_ACTION)(auth_views.LogoutView.as_view()), name="logout"),
    # Self-service password change and reset (members/passwords.py).
    path(
        "accounts/password/change/", access(SIGNED_IN)(passwords.PasswordChangeView.as_view()), name="password_change"
    ),
    path(
        "accounts/password/change/done/",
        access(SIGNED_IN_PAGE)(TemplateView.as_view(**passwords.CHANGE_DONE)),
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
    # The method's words (station, stale, expected, the phases...), linked from the pages that use them.
    path("glossary/", access(PUBLIC_PAGE)(TemplateView.as_view(template_name="glossary.html")), name="glossary"),
    path("theme/<slug:slug>.css", theme.theme_css, name="theme_css"),
    path("admin/", admin.site.urls),
    path("", include("challenges.urls")),
    path("", include("journey.urls")),
    path("", include("program_admin.urls")),
    path("", include("dashboards.urls")),
    path("", include("audit.urls")),
    path("", include("telegram_bot.urls")),
    # Issue 13: fixing drafts, correcting launched challenges, the simulation page.
    path("", include("program_admin.draft_urls")),
    path("", include("challenges.simulation_urls")),
    path("", include("api.urls")),
    path("", include("identity.urls")),
]
