#!/usr/bin/env bash
# Create/refresh the Python venv for the SimpleJWT test backend (testing/django).
#
# - venv at <repo root>/.venv (resolved from this script's location, not cwd)
# - installs testing/requirements.txt quietly
# - idempotent and fast: when .venv already matches the requirements (stamp file
#   holding their hash + the interpreter version) it exits at once
# - safe to run concurrently (parallel test files): installs take a lock
#
# Env: PYTHON  interpreter used to create the venv (default: python3)
set -euo pipefail

fail() { echo "setup-venv: $*" >&2; exit 1; }

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(cd -- "$SCRIPT_DIR/.." && pwd -P)"
VENV="$ROOT/.venv"
REQ="$SCRIPT_DIR/requirements.txt"
STAMP="$VENV/.glyde-requirements.stamp"
PYTHON="${PYTHON:-python3}"

[ -f "$REQ" ] || fail "missing $REQ"

want_stamp() {
  # requirements content + the venv interpreter's version
  local pyver
  pyver="$("$VENV/bin/python" -c 'import sys; print(sys.version)' 2>/dev/null)" || return 1
  printf '%s\n%s\n' "$(sha256sum "$REQ" | cut -d' ' -f1)" "$pyver"
}

up_to_date() {
  [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] || return 1
  local want
  want="$(want_stamp)" || return 1
  [ "$want" = "$(cat "$STAMP")" ]
}

# Fast path: nothing to do.
if up_to_date; then
  exit 0
fi

# Slow path, serialized across processes. The lock lives in the temp dir so
# the work tree gets no extra files.
command -v flock >/dev/null 2>&1 || fail "flock not found (util-linux)"
LOCK="${TMPDIR:-/tmp}/glyde-setup-venv-$(printf '%s' "$ROOT" | sha256sum | cut -c1-16).lock"
exec 9>"$LOCK"
flock -w 600 9 || fail "timed out waiting for another setup-venv.sh (lock $LOCK)"

if up_to_date; then   # someone else finished while we waited
  exit 0
fi

command -v "$PYTHON" >/dev/null 2>&1 || fail "interpreter '$PYTHON' not found (set PYTHON=...)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || fail "Django 5.2 needs Python >= 3.10; '$PYTHON' is $("$PYTHON" -V 2>&1)"

# A venv whose interpreter no longer runs (e.g. its base Python was removed)
# is rebuilt from scratch.
if [ -e "$VENV" ] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
  echo "setup-venv: $VENV is broken, recreating it" >&2
  rm -rf -- "$VENV"
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || fail "could not create venv at $VENV ('$PYTHON -m venv' failed; on Debian: apt-get install python3-venv)"
fi

rm -f -- "$STAMP"
LOG="$(mktemp "${TMPDIR:-/tmp}/glyde-setup-venv.XXXXXX.log")"
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      -r "$REQ" >"$LOG" 2>&1; then
  cat "$LOG" >&2
  rm -f -- "$LOG"
  fail "pip install -r $REQ into $VENV failed (output above)"
fi
rm -f -- "$LOG"

want_stamp >"$STAMP" || fail "venv python at $VENV/bin/python does not run after install"
