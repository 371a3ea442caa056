#!/usr/bin/env bash
# Check docker-compose.yml two ways, in a virtualenv of its own (cached under ~/.cache):
#   1. against the Compose Specification's JSON schema (the copy shipped inside the docker-compose
#      1.29.2 wheel on PyPI, the last Python release): unknown keys, wrong types, bad conditions;
#   2. with `podman-compose config`, which also resolves the anchors, variables and depends_on.
#
#   scripts/check_compose.sh [FILE]      # default: docker-compose.yml
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="$(realpath "${1:-$ROOT/docker-compose.yml}")"
VENV="${COMPOSE_CHECK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/accelerators/compose-check}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"

if [[ ! -x "$VENV/bin/podman-compose" || ! -f "$VENV/compose_spec.json" ]]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet podman-compose jsonschema pyyaml
  "$VENV/bin/pip" download --quiet --no-deps --dest "$VENV/wheels" docker-compose==1.29.2
  "$VENV/bin/python" -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    open(sys.argv[2], "wb").write(wheel.read("compose/config/compose_spec.json"))
' "$VENV"/wheels/docker_compose-1.29.2-*.whl "$VENV/compose_spec.json"
fi

"$VENV/bin/python" - "$FILE" "$VENV/compose_spec.json" <<'PY'
import json, sys
import jsonschema, yaml
document = yaml.safe_load(open(sys.argv[1]))
errors = list(jsonschema.Draft7Validator(json.load(open(sys.argv[2]))).iter_errors(document))
for error in errors:
    print(f"check_compose: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}", file=sys.stderr)
if errors:
    sys.exit(1)
print(f"check_compose: {sys.argv[1]} matches the compose-spec schema")
PY

# podman-compose needs the secret files to exist; point it at empty stand-ins.
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cp "$FILE" "$SCRATCH/docker-compose.yml"
mkdir -p "$SCRATCH/secrets" "$SCRATCH/deploy"
touch "$SCRATCH/secrets/secret_key" "$SCRATCH/secrets/postgres_password" "$SCRATCH/secrets/database_url"
cp "$ROOT/deploy/nginx.conf" "$SCRATCH/deploy/"
(cd "$SCRATCH" && "$VENV/bin/podman-compose" config >/dev/null)
echo "check_compose: podman-compose config resolves it"
