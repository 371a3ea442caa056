"""Who may use the Telegram URLs (the access-matrix test holds the views to these)."""

from members.policy import FORBIDDEN, LOGIN, OK, ROLES, Policy

# Nobody without the secret header Telegram sends (checked in the view): every role gets 403.
TELEGRAM_WEBHOOK = Policy(
    "Telegram's webhook (POST with the secret header only)", get={}, post=dict.fromkeys(ROLES, FORBIDDEN)
)
# A person's own Telegram link: any signed-in person, for themselves only.
SIGNED_IN_POST = Policy(
    "any signed-in person (POST only)", get={}, post={role: LOGIN if role == "anonymous" else OK for role in ROLES}
)
