#!/bin/sh
# Builds the bench's gostackparse peer into tooling/bench/.data/gostackparse-peer.
# Usage: build.sh <gostackparse checkout>   (Go 1.22+ on PATH, or GO=/path/to/go)
# The checkout (e.g. `git clone https://github.com/DataDog/gostackparse`; v0.7.0 was measured) replaces the
# module, so nothing is downloaded.
set -eu
if [ $# -ne 1 ] || [ ! -f "$1/gostackparse.go" ]; then
  echo "usage: $0 <gostackparse checkout> (a folder holding gostackparse.go)" >&2
  exit 2
fi
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../.data"
mkdir -p "$out"
go=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/main.go" "$here/go.mod" "$work/"
cd "$work"
"$go" mod edit -replace "github.com/DataDog/gostackparse=$src"
GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod "$go" build -trimpath -o "$out/gostackparse-peer" .
echo "built $(cd "$out" && pwd)/gostackparse-peer"
