#!/usr/bin/env bash
# Set up XbarScope on a fresh machine, then run it, its tests, or build the desktop bundle:
#
#   ./setup.sh run [app flags]      # open the app (on the vgg13-paper example unless --network)
#   ./setup.sh test [pytest args]   # the test suite (offscreen: no display needed)
#   ./setup.sh build                # the desktop bundle dist/XbarScope/XbarScope (PyInstaller)
#
# Installs the system libraries Qt needs (as root; without root it prints the exact apt-get
# line), makes .venv, installs the pinned dependencies (again whenever pyproject.toml or
# setup.py change), then runs.
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-run}"; shift || true
case "$mode" in run|test|build) ;; *) echo "usage: ./setup.sh [run|test|build] [args...]" >&2; exit 2 ;; esac

# Bold only on a terminal: a log file gets plain text, not raw escape codes.
if [ -t 1 ]; then say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }; else say() { printf '[setup] %s\n' "$*"; }; fi

# The app's one-shot flags need no display (unless a window platform is asked for).
headless_run=0
for a in "$@"; do case "$a" in --self-test|--screenshot|--screenshot=*|--version|-h|--help) headless_run=1 ;; esac; done
case "${QT_QPA_PLATFORM:-}" in xcb*|wayland*) headless_run=0 ;; esac

# Python 3.11+.
PY=""
for cand in python3.13 python3.12 python3.11 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY="$("$cand" -c 'import sys; print(sys.executable)')"; break
  fi
done
[ -n "$PY" ] || { echo "XbarScope needs Python 3.11 or newer: sudo apt-get install python3 python3-venv" >&2; exit 1; }

# System packages (Debian/Ubuntu names). Qt offscreen needs the first group, a window the second.
# Both are installed whatever this run is for: a .venv set up for the tests or a --self-test must
# open a window later without another trip here. PyInstaller needs binutils; Debian's own python3
# needs python3-venv for `python3 -m venv`.
qt_libs=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-dejavu-core)
win_libs=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
          libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0)
need=("${qt_libs[@]}" "${win_libs[@]}")
[ "$mode" != run ] && need+=(binutils)
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  case "$(realpath "$PY")" in
    /usr/bin/python3*) need+=("python3-venv") ;;
    *) echo "$PY cannot make virtual environments (no ensurepip); use a Python that can" >&2; exit 1 ;;
  esac
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "XbarScope needs these system packages; install them and run this again:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

# Virtual environment with the pinned dependencies; reinstalled when the packaging files change.
extras="gui,onnx,test,build"
[ -x .venv/bin/python ] || { say "creating .venv with $PY"; "$PY" -m venv .venv; }
stamp=.venv/.xbarscope-installed
want="$(cat pyproject.toml setup.py | sha1sum | cut -c1-40) $extras"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing XbarScope and its dependencies into .venv (a few minutes the first time)"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
  echo "$want" > "$stamp"
fi

case "$mode" in
  run)
    if [ "$headless_run" = 0 ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
      echo "No display found (DISPLAY is not set). Run this on a desktop, or try:" >&2
      echo "  ./setup.sh run --self-test      (a one-shot check that needs no display)" >&2
      exit 1
    fi
    exec .venv/bin/xbarscope --network vgg13-paper "$@" ;;  # a later --network wins
  test)
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" LANG="${LANG:-C.UTF-8}"
    say "checking that engine/ never imports Qt (import-linter)"
    .venv/bin/lint-imports
    say "running the test suite"
    exec .venv/bin/python -m pytest "$@" ;;
  build)
    say "building the desktop bundle with PyInstaller"
    exec env PYTHON=.venv/bin/python packaging/build.sh "$@" ;;
esac
