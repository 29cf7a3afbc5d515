#!/usr/bin/env bash
# Installs the DMG built for this runner's architecture as a user would (mount, copy the app out)
# and runs the packaged app's smoke test from there: the worker pool and native modules load from
# inside the installed app, a throwaway profile is created and migrated, the window renders.
#   bash scripts/release/smoke-installed.sh release [arm64|x64]
set -euo pipefail
dir="${1:-release}"
arch="${2:-$(uname -m)}"
shopt -s nullglob
if [ "$arch" = "arm64" ]; then dmgs=("$dir"/*-arm64.dmg); else dmgs=(); for f in "$dir"/*.dmg; do [[ "$f" == *-arm64.dmg ]] || dmgs+=("$f"); done; fi
[ "${#dmgs[@]}" -gt 0 ] || { echo "smoke-installed: no $arch DMG in $dir"; exit 1; }
mnt="$(mktemp -d)"
apps="$(mktemp -d)/Applications"
mkdir -p "$apps"
hdiutil attach -nobrowse -readonly -mountpoint "$mnt" "${dmgs[0]}" >/dev/null
cp -R "$mnt/PolyStoreIQ.app" "$apps/"
hdiutil detach "$mnt" >/dev/null
# A deadline of its own: a hung app must fail the job, not hold the runner until the job timeout.
perl -e 'alarm shift; exec @ARGV' 300 "$apps/PolyStoreIQ.app/Contents/MacOS/PolyStoreIQ" --smoke-test
