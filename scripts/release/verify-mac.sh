#!/usr/bin/env bash
# Verifies every DMG in a folder as Gatekeeper will on a user's Mac: the DMG's own signature and
# stapled notarization ticket, then the app inside it (deep, strict code signature, Gatekeeper's
# assessment, stapled ticket). Fails on the first problem.
#   bash scripts/release/verify-mac.sh release
set -euo pipefail
dir="${1:-release}"
shopt -s nullglob
dmgs=("$dir"/*.dmg)
[ "${#dmgs[@]}" -gt 0 ] || { echo "verify-mac: no DMG in $dir"; exit 1; }
for dmg in "${dmgs[@]}"; do
  echo "== $dmg"
  codesign --verify --strict --verbose=2 "$dmg"
  spctl -a -t open --context context:primary-signature -v "$dmg"
  xcrun stapler validate "$dmg"
  mnt="$(mktemp -d)"
  hdiutil attach -nobrowse -readonly -mountpoint "$mnt" "$dmg" >/dev/null
  trap 'hdiutil detach "$mnt" >/dev/null || true' EXIT
  app="$mnt/PolyStoreIQ.app"
  codesign --verify --deep --strict --verbose=2 "$app"
  spctl -a -t exec -vv "$app"
  xcrun stapler validate "$app"
  hdiutil detach "$mnt" >/dev/null
  trap - EXIT
done
echo "verify-mac: ${#dmgs[@]} DMG(s) signed, notarized and stapled"
