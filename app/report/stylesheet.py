"""The report's inline CSS: one small sheet, so the HTML file stands alone (no external files)."""
from __future__ import annotations

CSS = """
:root { --text: #1b1f24; --muted: #5b6470; --line: #d8dde3; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--text);
       font: 14px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header { border-bottom: 3px solid var(--text); padding-bottom: 10px; margin-bottom: 18px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 4px; }
.muted, .meta { color: var(--muted); }
.meta { font-size: 12.5px; }
dl.setup { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.setup dt { color: var(--muted); }
dl.setup dd { margin: 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px;
          vertical-align: baseline; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 200px; border: 1px solid var(--line); border-top: 5px solid var(--accent, #888);
        border-radius: 4px; padding: 10px 12px; }
.card .name { font-weight: bold; color: var(--accent, #333); }
.card .cycles { font-size: 24px; font-weight: bold; font-variant-numeric: tabular-nums; }
.card .line { font-size: 12.5px; color: var(--muted); }
table { border-collapse: collapse; font-size: 11.5px; font-variant-numeric: tabular-nums; width: 100%; }
th, td { padding: 3px 5px; border-bottom: 1px solid var(--line); }
th { background: var(--band); font-weight: 600; vertical-align: bottom; text-align: right; }
th.text, td.text { text-align: left; }
td.num { text-align: right; white-space: nowrap; }
td.method { white-space: nowrap; border-left: 4px solid var(--accent, transparent); }
tr.group th { background: #fff; text-align: left; padding-top: 7px; border-bottom: 1px solid #aab2bc;
           overflow-wrap: anywhere; }
tbody.totals td { font-weight: bold; background: var(--band); }
tbody.totals tr.group th { border-bottom: 2px solid var(--text); }
.table-wrap { overflow-x: auto; }
.warn { color: #a34a00; }
h3.chip { margin-top: 14px; }
figure { margin: 0 0 12px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 3px; }
section.layer { border-top: 1px solid var(--line); padding: 14px 0 6px; break-inside: avoid; }
section.layer .caption { font-size: 12.5px; margin: 0 0 8px; }
.layer-body { display: flex; gap: 18px; align-items: flex-start; }
.layer-body figure { flex: 0 1 800px; }
.layer-body table { flex: 1 1 260px; width: auto; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); border-top: 1px solid var(--line);
         padding-top: 8px; }
@media print { body { background: #fff; } main { padding: 0; } section.layer { page-break-inside: avoid; } }
"""
