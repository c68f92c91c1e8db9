#!/usr/bin/env bash
# Renders a study report (report.html of `xmask reproduce` / `xmask demo`) to PNG with headless
# Chromium at a reader's window width (1200 px): one screenshot of the page head (settings) and
# one per section, each of a copy of the page that hides the other sections, so every picture
# stays legible at full size.
#
#   Scripts/report/render.sh REPORT.html OUTDIR [WIDTH] [HEIGHT]
#
# Needs Debian's chromium (`apt-get update && apt-get install -y chromium`). Writes
# OUTDIR/head.png and OUTDIR/SECTION.png for each <section id="SECTION"> of the page, and prints
# their paths. HEIGHT (default 1500) is the window height; a longer section is cut there.
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: $0 REPORT.html OUTDIR [WIDTH] [HEIGHT]" >&2; exit 2; fi
html=$(realpath "$1"); out=$2; width=${3:-1200}; height=${4:-1500}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "chromium not found: apt-get update && apt-get install -y chromium" >&2; exit 2; fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot() {  # NAME CSS: screenshot of the page with CSS added to its head
  sed "s|</head>|<style>$2</style></head>|" "$html" > "$work/$1.html"
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --force-device-scale-factor=1 --window-size="$width,$height" --screenshot="$out/$1.png" "file://$work/$1.html" >/dev/null 2>&1
  test -s "$out/$1.png" || { echo "chromium wrote no $out/$1.png" >&2; exit 1; }
  echo "$out/$1.png"
}
shot head "section{display:none}"
for section in $(grep -o '<section id="[a-z0-9-]*"' "$html" | sed 's/.*id="\(.*\)"/\1/'); do
  shot "$section" "h1,dl,p.foot,section:not(#$section){display:none}"
done
