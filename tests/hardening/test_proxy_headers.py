"""X-Forwarded-Proto counts only behind configured proxies (issue 15, point 9).

What found it: the scanner sent ``X-Forwarded-Proto: https`` over plain HTTP straight to the app
and production settings took the request as HTTPS (no redirect, and ``request.is_secure()`` true
for anything that relies on it). The header means something only when a proxy in front sets it.
"""

import subprocess
import sys

from tests.hardening.test_deploy_check import ROOT, production_env

PROBE = """
import django
django.setup()
from django.test import RequestFactory
request = RequestFactory().get("/", HTTP_HOST="accelerators.example.gov", HTTP_X_FORWARDED_PROTO="https")
print(request.is_secure())
"""


def secure_with_forwarded_proto(tmp_path, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(VAR_DIR=str(tmp_path), **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()[-1]


def test_a_client_cannot_claim_https_when_no_proxy_is_configured(tmp_path):
    assert secure_with_forwarded_proto(tmp_path) == "False"  # so plain HTTP is still redirected to HTTPS


def test_the_header_counts_behind_a_configured_proxy(tmp_path):
    assert secure_with_forwarded_proto(tmp_path, TRUSTED_PROXY_COUNT="1") == "True"


def test_a_malformed_proxy_count_stops_start_up(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(VAR_DIR=str(tmp_path), TRUSTED_PROXY_COUNT="one"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr
