#!/usr/bin/env bash
# Install everything the tests need and run them: the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian tools the tests use: Chromium for the browser tests (Playwright's own browser
# download does not work offline), rapper and serdi as independent RDF parsers.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v rapper >/dev/null 2>&1 || missing="$missing raptor2-utils"
command -v serdi >/dev/null 2>&1 || missing="$missing serdi"
if [ -n "$missing" ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q -e '.[test]'
python3 -m mypy graph/
python3 -m pytest "$@"
