#!/usr/bin/env bash
# Build the desktop bundle dist/XbarScope/ (onedir; the launcher is dist/XbarScope/XbarScope).
#
#   packaging/build.sh [--dist DIR] [--work DIR]
#
# Uses $PYTHON (default: .venv/bin/python, as ./setup.sh makes it), which needs the app's
# dependencies and PyInstaller: pip install -e ".[gui,build]". `./setup.sh build` does all of it.
# Prints the bundle size and its largest parts; fails if the bundle does not answer --version.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-$root/.venv/bin/python}"
dist="$root/dist" work="$root/build/pyinstaller"
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    *) echo "usage: packaging/build.sh [--dist DIR] [--work DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$py" ] || { echo "build.sh: no Python at $py (run ./setup.sh build, or set PYTHON)" >&2; exit 1; }
"$py" -c 'import PyInstaller' 2>/dev/null || {
  echo "build.sh: PyInstaller is missing: $py -m pip install -e \"$root[gui,build]\"" >&2; exit 1; }
command -v objcopy >/dev/null && command -v strip >/dev/null ||
  { echo "build.sh: PyInstaller needs binutils: sudo apt-get install binutils" >&2; exit 1; }

start=$SECONDS
mkdir -p "$work"
log="$work/pyinstaller.log"
rm -rf "${work:?}/xbarscope"  # a fresh analysis every time; PyInstaller's binary cache still helps
if ! "$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" --workpath "$work" \
    "$root/packaging/xbarscope.spec" >"$log" 2>&1; then
  cat "$log" >&2; echo "build.sh: PyInstaller failed (log: $log)" >&2; exit 1
fi
# Quiet the expected warnings: X11 and GTK libraries come from the user's system, not the bundle.
grep -v -e " INFO: " -e "Library not found: could not resolve 'lib\(xcb\|gdk\|gtk\)" "$log" || true

app="$dist/XbarScope/XbarScope"
version="$(env -u DISPLAY QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$app" --version)" || {
  echo "build.sh: the bundle does not start ($app --version failed)" >&2; exit 1; }
echo "build.sh: built $version in $((SECONDS - start)) s: $app"
echo "build.sh: bundle size $(du -sh "$dist/XbarScope" | cut -f1); the largest parts:"
# awk, not head: head exits early and the SIGPIPE fails the script under pipefail.
{ du -s "$dist/XbarScope/_internal"/* | sort -rn | awk 'NR <= 6'
  if [ -d "$dist/XbarScope/_internal/PySide6/Qt/lib" ]; then  # (one du per list: du counts a file once)
    du -s "$dist/XbarScope/_internal/PySide6/Qt/lib"/* | sort -rn | awk 'NR <= 4'
  fi
} | awk -v d="$dist/XbarScope/" '{ sub(d, "", $2); printf "  %6.1f MB  %s\n", $1 / 1024, $2 }'
