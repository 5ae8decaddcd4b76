#!/usr/bin/env bash
# macOS CI smoke test: mount the .dmg, copy the app out as a user would, run its self-test.
#   packaging/macos/smoke-test.sh dist/RunwayDesktop-*.dmg
set -euo pipefail
dmg=$1
mount=$(mktemp -d)
apps=$(mktemp -d)
hdiutil attach -nobrowse -readonly -mountpoint "$mount" "$dmg" >/dev/null
trap 'hdiutil detach "$mount" >/dev/null || true; rm -rf "$apps"' EXIT
[ -L "$mount/Applications" ] || { echo "smoke-test.sh: the .dmg has no Applications link" >&2; exit 1; }
ditto "$mount/Runway Desktop.app" "$apps/Runway Desktop.app"
plutil -lint "$apps/Runway Desktop.app/Contents/Info.plist"
codesign --verify --deep --strict "$apps/Runway Desktop.app" || echo "smoke-test.sh: (not validly signed; expected for CI builds)"
"$apps/Runway Desktop.app/Contents/MacOS/runway-desktop" --version
"$apps/Runway Desktop.app/Contents/MacOS/runway-desktop" --self-test
