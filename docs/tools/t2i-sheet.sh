#!/usr/bin/env bash
# The text-to-image sheet of the model card (docs/weft-small-t2i.png): eight captions of the world's grammar, each
# painted by `weft t2i` on the bundled model with its own preferences (generation.json) and seed 1, in one row with
# the captions underneath. Needs ImageMagick (convert, montage). Run from the repository root:
#
#   bash docs/tools/t2i-sheet.sh [OUT.png]
set -euo pipefail
out="${1:-docs/weft-small-t2i.png}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
prompts=(
  "a large red circle at the center on grass, in flat style."
  "a medium blue car at the bottom on sand, in watercolour."
  "a large yellow star at the top left at night, in neon."
  "a large green tree at the left in snow, in pencil."
  "a medium pink heart at the center on water, in pixel art."
  "a large orange house at the right on grass, in watercolour."
  "a small purple fish at the bottom right on water, in flat style."
  "a large white boat at the center at night, in pencil."
)
i=0
for p in "${prompts[@]}"; do
  ./weft t2i -p "$p" -o "$tmp/$i.png" --seed 1 >/dev/null 2>&1 || { echo "t2i failed on: $p" >&2; exit 1; }
  # the picture at 1.5x, its caption wrapped underneath
  convert "$tmp/$i.png" -filter point -resize 192x192 \( -size 192x -background white -font DejaVu-Sans \
      -pointsize 11 caption:"$p" \) -append "$tmp/c$i.png"
  tiles+=("$tmp/c$i.png")
  i=$((i + 1))
done
montage "${tiles[@]}" -tile 4x2 -geometry +6+6 -background white "$out"
echo "wrote $out"
