#!/usr/bin/env bash
# Debian/Ubuntu packages that building and checking the Linux installer needs (run as root, or
# with sudo). Called by .ci/run before the slow packaging test; safe to run again.
#
#   build:   binutils (objdump/strip for PyInstaller), dpkg-dev (dpkg-shlibdeps computes the
#            .deb's Depends), file
#   checks:  desktop-file-utils (desktop-file-validate), appstream (appstreamcli validate)
#   runtime: every system library the bundled Qt plugins link against (STACK-NOTES §1: the
#            offscreen list + the xcb list, plus Wayland), so dpkg-shlibdeps can resolve them
#            and the installed app's --self-test can run; ca-certificates for the trust store.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

PACKAGES=(
  binutils dpkg-dev file
  desktop-file-utils appstream
  ca-certificates
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3
  fonts-dejavu-core
  libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-glx0
  libwayland-client0 libwayland-cursor0 libwayland-egl1
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-deps.sh: not a Debian-like system (no apt-get); install the equivalents of:" >&2
  echo "  ${PACKAGES[*]}" >&2
  exit 1
fi
if [ "${RUNWAY_SKIP_APT_UPDATE:-0}" != 1 ]; then
  as_root apt-get update -qq
fi
as_root apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "ci-deps.sh: installed ${#PACKAGES[@]} packages (build, checks, Qt runtime libraries)"
