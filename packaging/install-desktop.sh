#!/usr/bin/env bash
# Add XbarScope to this user's application menu: the .desktop entry and the icon (Linux).
#
#   packaging/install-desktop.sh                        # the bundle: dist/XbarScope/XbarScope
#   packaging/install-desktop.sh "$PWD/.venv/bin/xbarscope"   # or any launcher, by absolute path
#   packaging/install-desktop.sh --uninstall
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
entry="$data/applications/xbarscope.desktop"
icons=("$data/icons/hicolor/256x256/apps/xbarscope.png" "$data/icons/hicolor/scalable/apps/xbarscope.svg")

if [ "${1:-}" = --uninstall ]; then
  rm -f "$entry" "${icons[@]}"
  echo "removed $entry and the icons"
  exit 0
fi
launcher="$(realpath "${1:-$root/dist/XbarScope/XbarScope}")"
[ -x "$launcher" ] || { echo "no launcher at $launcher (build it with ./setup.sh build)" >&2; exit 1; }
install -Dm644 "$root/resources/icons/xbarscope.png" "${icons[0]}"
install -Dm644 "$root/resources/icons/xbarscope.svg" "${icons[1]}"
mkdir -p "$(dirname "$entry")"
sed -e "s|^Exec=.*|Exec=\"$launcher\"|" -e "s|^TryExec=.*|TryExec=$launcher|" \
  "$root/resources/xbarscope.desktop" > "$entry"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "installed $entry (Exec: $launcher)"
