"""Local stand-ins for identity providers the tests cannot reach, built from their public descriptions.

- ``Issuer``: an OpenID Connect issuer (discovery, JWKS, authorize, token, userinfo) whose ID tokens
  are real RS256 JWTs signed with a real key, and which can be told to misbehave in one way at a
  time (``issuer.fault``): signed with another key, for another audience, from another issuer,
  expired, with another nonce, or no ID token at all. It stands in front of the checks allauth and
  identity/oidc.py make; the real provider (oidc-provider) is in ``conftest.py``.
- ``UAEPass``: UAE PASS's ``/idshub/authorize`` (a login page), ``/idshub/token`` (client id and secret
  in HTTP Basic), ``/idshub/userinfo`` and ``/idshub/logout``.
- ``OneID``: OneID's one endpoint ``/sso/oauth/Authorization.do``: ``response_type=one_code`` (a login
  page), then ``grant_type=one_authorization_code``, ``one_access_token_identify`` and ``one_log_out``.

Each runs an ``http.server`` in a thread on a free loopback port.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Client:
    client_id: str
    secret: str
    redirect_uris: set[str] = field(default_factory=set)


class StandIn:
    """A small HTTP server in a thread; subclasses answer ``get`` and ``post``."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.people: dict[str, dict] = {}  # the login typed (an e-mail address) → the person's claims
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, parameters) as received
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body=b"", headers=None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                stand_in.requests.append(("GET", url.path, params))
                self._reply(*stand_in.get(url.path, params, self.headers))

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in parse_qs(body).items()}
                params.update({k: v[0] for k, v in parse_qs(url.query).items() if k not in params})
                stand_in.requests.append(("POST", url.path, params))
                self._reply(*stand_in.post(url.path, params, self.headers))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def json(status: int, data) -> tuple:
        return status, json.dumps(data).encode(), {"Content-Type": "application/json"}

    @staticmethod
    def redirect(url: str) -> tuple:
        return 302, b"", {"Location": url}

    @staticmethod
    def page(title: str, body: str) -> tuple:
        document = f'<!doctype html><html lang="en"><head><title>{title}</title></head><body>{body}</body></html>'
        return 200, document.encode(), {"Content-Type": "text/html; charset=utf-8"}

    def login_page(self, title: str, params: dict, login_label: str) -> tuple:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        return self.page(
            title,
            f'<h1>{title}</h1><form method="post">{hidden}'
            f'<label for="login">{login_label}</label><input id="login" name="login" type="text">'
            '<button type="submit">Log in</button></form>',
        )

    def issue_code(self, client_id: str, redirect_uri: str, login: str, **extra) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri, "login": login, **extra}
        return code

    def take_code(self, code: str | None, client_id: str, redirect_uri: str | None) -> dict | None:
        """A code is good once, for the client and redirect URI it was issued to."""
        grant = self.codes.pop(code or "", None)
        if grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != redirect_uri:
            return None
        return grant

    def known_redirect(self, params: dict) -> Client | None:
        client = self.clients.get(params.get("client_id", ""))
        if client is None or params.get("redirect_uri") not in client.redirect_uris:
            return None
        return client

    @staticmethod
    def basic_client(headers) -> tuple[str, str]:
        value = headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return "", ""
        client_id, _, secret = base64.b64decode(value[6:]).decode().partition(":")
        return client_id, secret

    def get(self, path, params, headers):
        return 404, b"not found", {}

    def post(self, path, params, headers):
        return 404, b"not found", {}


class Issuer(StandIn):
    """An OpenID Connect issuer whose ID tokens are real JWTs, with one fault at a time."""

    FAULTS = ("bad_signature", "wrong_audience", "wrong_issuer", "expired", "wrong_nonce", "no_id_token")

    def __init__(self) -> None:
        super().__init__()
        self.key = _rsa_key()
        self.other_key = _rsa_key()
        self.kid = "stand-in-1"
        self.fault: str | None = None

    def get(self, path, params, headers):
        if path == "/.well-known/openid-configuration":
            return self.json(
                200,
                {
                    "issuer": self.url,
                    "authorization_endpoint": self.url + "/authorize",
                    "token_endpoint": self.url + "/token",
                    "userinfo_endpoint": self.url + "/userinfo",
                    "jwks_uri": self.url + "/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return self.json(200, {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]})
        if path == "/authorize":
            if self.known_redirect(params) is None:
                return 400, b"unknown client or redirect_uri", {}
            return self.login_page("Stand-in issuer", params, "E-mail address")
        if path == "/userinfo":
            grant = self.tokens.get(headers.get("Authorization", "").removeprefix("Bearer "))
            if grant is None:
                return self.json(401, {"error": "invalid_token"})
            return self.json(200, self.people[grant["login"]])
        return super().get(path, params, headers)

    def post(self, path, params, headers):
        if path == "/authorize":
            client = self.known_redirect(params)
            if client is None or params.get("login") not in self.people:
                return 400, b"unknown client, redirect_uri or person", {}
            code = self.issue_code(
                client.client_id,
                params["redirect_uri"],
                params["login"],
                nonce=params.get("nonce"),
                challenge=params.get("code_challenge"),
            )
            return self.redirect(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}")
        if path == "/token":
            client = self.clients.get(params.get("client_id", ""))
            if client is None or params.get("client_secret") != client.secret:
                return self.json(401, {"error": "invalid_client"})
            grant = self.take_code(params.get("code"), client.client_id, params.get("redirect_uri"))
            if grant is None:
                return self.json(400, {"error": "invalid_grant"})
            access_token = secrets.token_urlsafe(16)
            self.tokens[access_token] = grant
            answer = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
            if self.fault != "no_id_token":
                answer["id_token"] = self.id_token(client.client_id, grant)
            return self.json(200, answer)
        return super().post(path, params, headers)

    def id_token(self, client_id: str, grant: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": self.people[grant["login"]]["sub"],
            "aud": client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce"),
        }
        if self.fault == "wrong_audience":
            claims["aud"] = "someone-else"
        elif self.fault == "wrong_issuer":
            claims["iss"] = "http://127.0.0.1:1/another-issuer"
        elif self.fault == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        key = self.other_key if self.fault == "bad_signature" else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})


class UAEPass(StandIn):
    """UAE PASS's OAuth 2.0 endpoints as its public documentation describes them."""

    SCOPE = "urn:uae:digitalid:profile:general"

    def get(self, path, params, headers):
        if path == "/idshub/authorize":
            problem = self._authorize_problem(params)
            if problem:
                return problem
            return self.login_page("UAE PASS", params, "Emirates ID, e-mail or phone")
        if path == "/idshub/userinfo":
            grant = self.tokens.get(headers.get("Authorization", "").removeprefix("Bearer "))
            if grant is None:
                return self.json(401, {"error": "invalid_token"})
            return self.json(200, self.people[grant["login"]])
        if path == "/idshub/logout":
            return self.redirect(params.get("redirect_uri", "/"))
        return super().get(path, params, headers)

    def _authorize_problem(self, params):
        if self.known_redirect(params) is None:
            return 400, b"invalid client_id or redirect_uri", {}
        answer = {"error": "invalid_request", "state": params.get("state", "")}
        if params.get("response_type") != "code" or params.get("scope") != self.SCOPE:
            return self.redirect(f"{params['redirect_uri']}?{urlencode(answer)}")
        if not params.get("acr_values"):
            answer["error_description"] = "acr_values is required"
            return self.redirect(f"{params['redirect_uri']}?{urlencode(answer)}")
        return None

    def post(self, path, params, headers):
        if path == "/idshub/authorize":
            problem = self._authorize_problem(params)
            if problem:
                return problem
            if params.get("login") not in self.people:
                return self.redirect(
                    f"{params['redirect_uri']}?{urlencode({'error': 'access_denied', 'state': params['state']})}"
                )
            code = self.issue_code(params["client_id"], params["redirect_uri"], params["login"])
            return self.redirect(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}")
        if path == "/idshub/token":
            client_id, secret = self.basic_client(headers)
            client = self.clients.get(client_id)
            if client is None or client.secret != secret or params.get("grant_type") != "authorization_code":
                return self.json(401, {"error": "invalid_client"})
            grant = self.take_code(params.get("code"), client_id, params.get("redirect_uri"))
            if grant is None:
                return self.json(400, {"error": "invalid_grant"})
            access_token = secrets.token_urlsafe(16)
            self.tokens[access_token] = grant
            return self.json(
                200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600, "scope": self.SCOPE}
            )
        return super().post(path, params, headers)


class OneID(StandIn):
    """OneID's one endpoint, ``/sso/oauth/Authorization.do``, as its public descriptions give it."""

    PATH = "/sso/oauth/Authorization.do"

    def get(self, path, params, headers):
        if path == self.PATH and params.get("response_type") == "one_code":
            if self.known_redirect(params) is None:
                return 400, b"invalid client_id or redirect_uri", {}
            return self.login_page("OneID", params, "Login or PINFL")
        return super().get(path, params, headers)

    def post(self, path, params, headers):
        if path != self.PATH:
            return super().post(path, params, headers)
        if params.get("response_type") == "one_code":  # the login page's form
            if self.known_redirect(params) is None or params.get("login") not in self.people:
                return 400, b"unknown client, redirect_uri or person", {}
            code = self.issue_code(params["client_id"], params["redirect_uri"], params["login"])
            return self.redirect(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}")
        client = self.clients.get(params.get("client_id", ""))
        if client is None or params.get("client_secret") != client.secret:
            return self.json(200, {"error": "invalid_client", "error_description": "client authentication failed"})
        grant_type = params.get("grant_type")
        if grant_type == "one_authorization_code":
            grant = self.take_code(params.get("code"), client.client_id, params.get("redirect_uri"))
            if grant is None:
                return self.json(200, {"error": "invalid_grant"})
            access_token = secrets.token_urlsafe(16)
            self.tokens[access_token] = grant
            return self.json(
                200,
                {
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "refresh_token": "-",
                    "scope": client.client_id,
                },
            )
        if grant_type == "one_access_token_identify":
            grant = self.tokens.get(params.get("access_token", ""))
            if grant is None:
                return self.json(200, {"valid": "false"})
            return self.json(200, {"valid": "true", **self.people[grant["login"]]})
        if grant_type == "one_log_out":
            self.tokens.pop(params.get("access_token", ""), None)
            return self.json(200, {"result": "ok"})
        return self.json(200, {"error": "unsupported_grant_type"})
