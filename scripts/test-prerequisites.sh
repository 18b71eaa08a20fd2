#!/usr/bin/env bash
# Runs before `npm test` (the `pretest` script): the tests drive real programs,
# and a fresh machine may lack them. Installs what is missing where it may
# (root with apt-get, as on CI and the project's machines); elsewhere stops
# before any test runs with the one command that installs them.
#
# What the tests use, and why:
#   java 17+ and maven   Kafka 4.1.2 and Apicurio Registry run as JVMs; Maven fetches their jars once
#   chromium             the dashboard's browser test
#   prometheus           scrapes the engine's /metrics in the observability test
#   docker-compose       validates the generated compose files (`docker-compose config`; no engine)
#   python3-venv         Confluent's Python client for the registry interop test (interop/confluent/setup.sh
#                        installs it, pinned, into a venv from PyPI on first use)
set -euo pipefail

declare -a packages=() reasons=()
need() { packages+=("$1"); reasons+=("$1 ($2)"); }

command -v java >/dev/null 2>&1 || need default-jre-headless "runs Kafka and the schema registry"
command -v mvn >/dev/null 2>&1 || need maven "fetches the Kafka and registry jars once"
[ -x /usr/bin/chromium ] || need chromium "the dashboard's browser test"
[ -x /usr/bin/prometheus ] || need prometheus "scrapes the engine in the observability test"
command -v docker-compose >/dev/null 2>&1 || need docker-compose "validates the compose files"
# Importing venv can succeed where creating one fails (Debian splits ensurepip out): try it (~3 s).
venv_probe=$(mktemp -d)
python3 -m venv "$venv_probe/v" >/dev/null 2>&1 || need python3-venv "Confluent's Python client for the registry interop test"
rm -rf "$venv_probe"

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

command="apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  {
    echo "vigil: the tests need programs this machine lacks:"
    printf '  - %s\n' "${reasons[@]}"
    echo "Install them, then run the tests again:"
    echo "  sudo apt-get update && sudo $command"
  } >&2
  exit 1
fi

echo "vigil: installing what the tests need (once):"
printf '  - %s\n' "${reasons[@]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "vigil: installed ${packages[*]}"
