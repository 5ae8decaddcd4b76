#!/usr/bin/env bash
# macOS: wrap "dist/Runway Desktop.app" (made by packaging/build_app.py through the spec's
# BUNDLE step) into dist/RunwayDesktop-<version>-macos-<arch>.dmg with an Applications link,
# so installing is: open the .dmg, drag the app onto Applications.
#
#   packaging/macos/build-dmg.sh [APP] [OUT_DIR]
#
# Signing: PyInstaller ad-hoc signs the bundle (enough for arm64 to run it). For distribution
# outside CI, set RUNWAY_CODESIGN_IDENTITY before build_app.py and notarize the .dmg
# (xcrun notarytool submit ... --wait; xcrun stapler staple): not done here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
app=${1:-"$repo/dist/Runway Desktop.app"}
out_dir=${2:-"$repo/dist"}
[ -d "$app" ] || { echo "build-dmg.sh: no $app; run packaging/build_app.py on macOS" >&2; exit 2; }

version=$("$app/Contents/MacOS/runway-desktop" --version | awk '{print $2}')
arch=$(uname -m)
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/Runway Desktop.app"
ln -s /Applications "$staging/Applications"
mkdir -p "$out_dir"
dmg="$out_dir/RunwayDesktop-$version-macos-$arch.dmg"
rm -f "$dmg"
hdiutil create -volname "Runway Desktop $version" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$dmg" >/dev/null
hdiutil verify "$dmg" >/dev/null
echo "build-dmg.sh: $dmg ($(du -h "$dmg" | cut -f1))"
