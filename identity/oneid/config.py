"""OneID's endpoint and claim names for one SocialApp, from its settings (defaults: the public descriptions)."""

DEFAULT_SERVER = "https://sso.egov.uz"
DEFAULT_ENDPOINT = "/sso/oauth/Authorization.do"
DEFAULT_CLAIMS = {
    "uid": "pin",
    "email": "email",
    "first_name": "first_name",
    "last_name": "sur_name",
    "middle_name": "mid_name",
    "full_name": "full_name",
}


def claims_of(app) -> dict[str, str]:
    return {**DEFAULT_CLAIMS, **app.settings.get("claims", {})}


def endpoint_of(app) -> str:
    server = app.settings.get("server_url", DEFAULT_SERVER).rstrip("/")
    return server + app.settings.get("endpoint", DEFAULT_ENDPOINT)
