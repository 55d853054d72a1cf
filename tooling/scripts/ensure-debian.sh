#!/usr/bin/env bash
# Installs Debian's packages that tests use as real components (chromium, caddy, prometheus), by
# package name only: no downloads from anywhere else, and the machine's apt sources are never changed.
# Usage: ensure-debian.sh [--optional] PACKAGE=BINARY...
#   --optional: when a binary is missing and we are not root, say so and exit 0 (its tests skip cleanly).
set -euo pipefail
optional=0
if [ "${1:-}" = "--optional" ]; then optional=1; shift; fi
missing=()
for spec in "$@"; do
  pkg="${spec%%=*}"; bin="${spec#*=}"
  if [ ! -x "$bin" ]; then missing+=("$pkg"); fi
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-debian: missing ${missing[*]}; install Debian's packages (sudo apt-get install -y ${missing[*]})" >&2
  if [ "$optional" = 1 ]; then echo "ensure-debian: the tests that need them will be skipped" >&2; exit 0; fi
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
for spec in "$@"; do "${spec#*=}" --version 2>/dev/null | head -1 || true; done
