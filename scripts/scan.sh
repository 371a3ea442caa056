#!/bin/sh
# An authenticated web-vulnerability scan of a running server with wapiti (PyPI: wapiti3).
#
#   make run-style server first, e.g.:
#     VAR_DIR=var/scan WEB_PORT=8642 .venv/bin/python manage.py migrate --noinput
#     VAR_DIR=var/scan .venv/bin/python manage.py seed_demo
#     VAR_DIR=var/scan .venv/bin/python manage.py runserver 127.0.0.1:8642 --noreload
#   then:  WEB_PORT=8642 scripts/scan.sh
#
# Signs in as a demo account (SCAN_EMAIL / SCAN_PASSWORD, the program admin by default), passes
# the session cookie to wapiti, scans everything under the site with wapiti's default modules
# (SCAN_MODULES to change them, SCAN_SECONDS to bound the time), writes the JSON report to
# var/scan/report.json and prints the findings per level. Exits 1 when any finding is above low
# or the server answered a 5xx. Slow (half an hour and more): not part of the test suite. The
# scan posts hostile values into every form it finds: point it at a throwaway database only.
set -eu
cd "$(dirname "$0")/.."
BASE="${SCAN_URL:-http://127.0.0.1:${WEB_PORT:-8000}}"
EMAIL="${SCAN_EMAIL:-admin@demo.accelerators.example}"
PASSWORD="${SCAN_PASSWORD:-demo-accelerators-2026}"
VENV="${SCAN_VENV:-var/scan-venv}"
OUT="${SCAN_OUT:-var/scan}"
MODULES="${SCAN_MODULES:-common}"
SECONDS_MAX="${SCAN_SECONDS:-3600}"
# The quick variant: SCAN_DEPTH=2 SCAN_LINKS=15 SCAN_ATTACK_SECONDS=20 SCAN_SECONDS=400 (a few minutes).
DEPTH="${SCAN_DEPTH:-40}"
LINKS="${SCAN_LINKS:-100}"
ATTACK_SECONDS="${SCAN_ATTACK_SECONDS:-600}"

if [ ! -x "$VENV/bin/wapiti" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "wapiti3==3.2.3"  # the last release for Python 3.11
fi
mkdir -p "$OUT"
jar="$OUT/cookies.txt"
rm -f "$jar"
curl -sf -c "$jar" -b "$jar" "$BASE/accounts/login/" -o /dev/null
csrf=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
curl -sf -c "$jar" -b "$jar" -o /dev/null -H "Referer: $BASE/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$csrf" --data-urlencode "username=$EMAIL" \
    --data-urlencode "password=$PASSWORD" "$BASE/accounts/login/"
session=$(awk '$6 == "sessionid" { print $7 }' "$jar")
csrf=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
[ -n "$session" ] || { echo "could not sign in as $EMAIL at $BASE" >&2; exit 2; }
echo "signed in as $EMAIL; scanning $BASE (modules: $MODULES, at most $SECONDS_MAX s)"

# Signing out or changing the password would end the scan's session.
"$VENV/bin/wapiti" -u "$BASE/" --scope folder -m "$MODULES" \
    -C "sessionid=$session; csrftoken=$csrf" \
    -x "$BASE/accounts/logout/" -x "$BASE/accounts/password/change/" -x "$BASE/i18n/setlang/" \
    -d "$DEPTH" --max-links-per-page "$LINKS" --max-files-per-dir "$LINKS" --max-parameters 10 \
    --max-scan-time "$SECONDS_MAX" --max-attack-time "$ATTACK_SECONDS" --flush-session --no-bugreport \
    -f json -o "$OUT/report.json" -v 1

"$VENV/bin/python" - "$OUT/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
levels = {1: "low", 2: "medium", 3: "high", 4: "critical"}
worst, counts = 0, {}
for section in ("vulnerabilities", "anomalies", "additionals"):
    for name, findings in report.get(section, {}).items():
        for finding in findings:
            level = finding.get("level", 1)
            worst = max(worst, level)
            counts[(section, name, levels.get(level, level))] = counts.get((section, name, levels.get(level, level)), 0) + 1
for (section, name, level), count in sorted(counts.items()):
    print(f"{section:<16} {level:<8} {count:>4}  {name}")
print(f"{sum(counts.values())} findings; crawled {len(report.get('infos', {}).get('crawled_pages', []) or [])} pages")
server_errors = len(report.get("anomalies", {}).get("Internal Server Error", []))
print(f"5xx answers: {server_errors}")
sys.exit(1 if worst > 1 or server_errors else 0)
PY
