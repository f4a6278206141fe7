#!/usr/bin/env bash
# Set up XbarScope on a fresh machine and run it (./setup.sh run) or its tests (./setup.sh test).
# Installs the system libraries Qt needs (or says which, without root), makes .venv,
# installs the pinned dependencies, then runs. Extra arguments go to the app or to pytest.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-run}"; shift || true

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# Python 3.11+.
PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="$cand"; break
  fi
done
[ -n "$PY" ] || { echo "XbarScope needs Python 3.11 or newer (apt-get install python3 python3-venv)" >&2; exit 1; }

# System libraries Qt loads (Debian/Ubuntu names). Offscreen needs the first group; a window the second.
qt_libs=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-dejavu-core)
win_libs=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0)
need=("${qt_libs[@]}")
[ "$mode" = run ] && need+=("${win_libs[@]}")
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system libraries Qt needs: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "XbarScope needs these system packages; install them and run this again:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Virtual environment with pinned dependencies; reinstalled when pyproject.toml changes.
"$PY" -c 'import venv, ensurepip' 2>/dev/null || { echo "install python3-venv (apt-get install python3-venv)" >&2; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; "$PY" -m venv .venv; }
stamp=.venv/.xbarscope-installed
want="$(sha1sum pyproject.toml | cut -c1-40)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing XbarScope and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[gui,test]"
  echo "$want" > "$stamp"
fi

case "$mode" in
  run)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
      echo "No display found (DISPLAY is not set). Run this on a desktop, or try: xvfb-run ./setup.sh run" >&2
      exit 1
    fi
    exec .venv/bin/xbarscope --network vgg13-paper "$@" ;;
  test)
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" LANG="${LANG:-C.UTF-8}"
    say "checking that engine/ never imports Qt (import-linter)"
    .venv/bin/lint-imports
    say "running the test suite"
    exec .venv/bin/python -m pytest "$@" ;;
  *) echo "usage: ./setup.sh [run|test] [args...]" >&2; exit 2 ;;
esac
