#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring
# and a throwaway XDG_DATA_HOME, so keychain tests use the real Secret Service
# without touching anyone's keyring.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "keychain tests need dbus and gnome-keyring (apt-get install dbus gnome-keyring libsecret-1-dev)" >&2
  exit 3
fi
data_home=$(mktemp -d)
trap 'rm -rf "$data_home"' EXIT
export XDG_DATA_HOME="$data_home"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$data_home/run}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# No display: a locked keyring must fail fast instead of waiting for a prompt.
unset DISPLAY WAYLAND_DISPLAY
# Tests of a locked keyring unlock it again with this (test/support/keyring.ts).
export POLYSTORE_TEST_KEYRING_PASSWORD="polystore-test-keyring"
exec dbus-run-session -- bash -c '
  echo -n "$POLYSTORE_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' bash "$@"
