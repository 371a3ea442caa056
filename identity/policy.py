"""Who may use the single sign-on URLs (the access-matrix test holds the views to these)."""

from members.policy import NOT_FOUND, ROLES, Policy

# allauth's provider views (start a sign-in, the provider's callback): anyone, for a configured
# provider; the matrix's world configures none, so every role gets 404 there (tests/identity
# holds the configured case against real and stand-in providers).
PROVIDER_FLOW = Policy(
    "anyone, through a configured identity provider (404 for one that is not)",
    get=dict.fromkeys(ROLES, NOT_FOUND),
    post=dict.fromkeys(ROLES, NOT_FOUND),
)
