#!/usr/bin/env bash
# Creates the project-owned venv for Confluent's Python client
# (.vigil/confluent-venv, git-ignored) and installs the pinned requirements,
# once: a stamp holding the requirements' hash skips the install when nothing
# changed. The interop test runs this first, so a fresh machine needs only
# python3 (with venv) and PyPI.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VIGIL_CONFLUENT_VENV:-.vigil/confluent-venv}
REQ=interop/confluent/requirements.txt
STAMP=$VENV/.requirements.sha256
WANT=$(sha256sum "$REQ" | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ"
echo "$WANT" > "$STAMP"
