#!/usr/bin/env bash
# Build runway-desktop_<version>_<arch>.deb from the PyInstaller folder.
#
#   packaging/linux/build-deb.sh [APP_DIR] [OUT_DIR]
#     APP_DIR  the onedir build (default: dist/runway-desktop, from packaging/build_app.py)
#     OUT_DIR  where the .deb goes (default: dist/)
#
# Layout: /opt/runway-desktop (the frozen app), /usr/bin/runway-desktop (a launcher script),
# /usr/share/applications/runway-desktop.desktop, hicolor icons (16-256 px + scalable),
# /usr/share/metainfo (AppStream). Depends is computed by dpkg-shlibdeps from every ELF file in
# the bundle, so it names exactly the system libraries the bundled Qt plugins link against (the
# spec leaves those out of the bundle); ca-certificates is added for the TLS trust store.
# Needs: dpkg-deb, dpkg-shlibdeps (dpkg-dev), and the libraries themselves installed
# (packaging/linux/ci-deps.sh).
# Compression: zstd -12 by default (measured on 2 vCPUs for the 123 MB tree: zstd -12 15 s ->
# 46 MB; xz -6 144 s -> 38 MB; gzip -9 42 s -> 51 MB). dpkg >= 1.21.18 (Debian 12, Ubuntu
# 22.04) installs zstd .debs; for older targets set DEB_COMPRESSION=xz DEB_LEVEL=6.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
app_dir=$(realpath "${1:-$repo/dist/runway-desktop}")
out_dir=$(realpath -m "${2:-$repo/dist}")
name=runway-desktop

[ -x "$app_dir/$name" ] || { echo "build-deb.sh: no $app_dir/$name; run packaging/build_app.py" >&2; exit 2; }
for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture; do
  command -v "$tool" >/dev/null || { echo "build-deb.sh: $tool is missing (apt-get install dpkg-dev)" >&2; exit 2; }
done

# The frozen app reports its own version (from the metadata baked into the build).
version=$(QT_QPA_PLATFORM=offscreen "$app_dir/$name" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb.sh: could not read the version from $app_dir/$name" >&2; exit 2; }

work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/metainfo" "$root/usr/share/doc/$name"
cp -a "$app_dir" "$root/opt/$name"

cat >"$root/usr/bin/$name" <<'LAUNCHER'
#!/bin/sh
# Runway Desktop launcher: the app itself lives in /opt/runway-desktop.
exec /opt/runway-desktop/runway-desktop "$@"
LAUNCHER

install -m 0644 "$here/$name.desktop" "$root/usr/share/applications/$name.desktop"
metainfo=org.runwaydesktop.RunwayDesktop.metainfo.xml
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" "$here/$metainfo" \
  >"$root/usr/share/metainfo/$metainfo"
for size in 16 32 48 64 128 256; do
  dir="$root/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  install -m 0644 "$repo/resources/icons/$name-$size.png" "$dir/$name.png"
done
mkdir -p "$root/usr/share/icons/hicolor/scalable/apps"
install -m 0644 "$repo/resources/icons/$name.svg" "$root/usr/share/icons/hicolor/scalable/apps/$name.svg"
cat >"$root/usr/share/doc/$name/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: runway-desktop

Files: *
License: Apache-2.0
Comment: Bundles Python, Qt 6 / PySide6 (LGPL-3.0) and Python packages under their own licenses;
 see /opt/runway-desktop/_internal/*.dist-info.
COPYRIGHT

# Normal permissions whatever the build machine's umask was.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod go-w,a+r {} +
chmod 0755 "$root/usr/bin/$name" "$root/opt/$name/$name"

# Depends: ask dpkg-shlibdeps about every ELF object; libraries found inside the bundle are ours.
mkdir -p "$work/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$work/debian/control"
mapfile -t elves < <(find "$root/opt/$name" -type f \( -name '*.so*' -o -perm -u+x \) \
  -exec sh -c 'head -c 4 "$1" | grep -q "ELF" && echo "$1"' _ {} \;)
libdirs=()
while IFS= read -r d; do libdirs+=("-l$d"); done < <(
  find "$root/opt/$name" -type f -name '*.so*' -printf '%h\n' | sort -u)
shlibs=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info --warnings=1 "${libdirs[@]}" \
  "${elves[@]}" 2>"$work/shlibdeps.log" | sed -n 's/^shlibs:Depends=//p') || {
  grep -v "^dpkg-shlibdeps: warning" "$work/shlibdeps.log" | head -30 >&2
  echo "build-deb.sh: dpkg-shlibdeps failed (is packaging/linux/ci-deps.sh installed?)" >&2
  exit 1
}
depends="$shlibs, ca-certificates"

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: Runway Desktop developers <runway-desktop@invalid>
Installed-Size: $installed_kb
Depends: $depends
Suggests: gnome-keyring | kwalletmanager | keepassxc
Section: education
Priority: optional
Description: Send assessment files to Runway and fetch the processed results
 Runway Desktop uploads assessment result files to Runway, follows the
 processing and downloads the results. A practice mode (runway-desktop
 --sandbox, or "Practice mode" in the menu) runs a local practice server
 with sample files, so no account is needed to learn the app.
 .
 Client secrets are kept in the desktop keyring (Secret Service) when one
 is available. The app is self-contained in /opt/runway-desktop.
CONTROL

mkdir -p "$out_dir"
deb="$out_dir/${name}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-zstd}" -z"${DEB_LEVEL:-12}" --build "$root" "$deb" >/dev/null
echo "build-deb.sh: $deb ($(du -h "$deb" | cut -f1), installed ${installed_kb} KiB)"
echo "build-deb.sh: Depends: $depends"
