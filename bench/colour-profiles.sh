#!/usr/bin/env bash
# The error in grey levels when an embedded profile is ignored, and when it
# is converted (docs/performance.md, section 2). Needs mate-backgrounds,
# colord-data and libvips-tools.
#   bench/colour-profiles.sh WORKDIR NEW_SHARDPIX [OLD_SHARDPIX]
# Each of MATE's 12 "nature" photos is converted to Display P3 and to Adobe
# RGB (profile embedded); each shardpix makes 256 px grey PNGs of them,
# compared pixel by pixel with `vips thumbnail --export-profile srgb` then
# Rec.601. Prints: kind, binary, mean |error|, largest error, mean 99th
# percentile, over the 12 photos.
set -euo pipefail

work=${1:?usage: colour-profiles.sh WORKDIR NEW_SHARDPIX [OLD_SHARDPIX]}
new=$(realpath "${2:?usage: colour-profiles.sh WORKDIR NEW_SHARDPIX [OLD_SHARDPIX]}")
old=${3:+$(realpath "$3")}
adobe=/usr/share/color/icc/colord/AdobeRGB1998.icc

mkdir -p "$work/p3" "$work/adobe"
cd "$work"
for f in $(dpkg -L mate-backgrounds | grep -E '/nature/.*\.jpg$' | LC_ALL=C sort | head -12); do
  b=$(basename "$f" .jpg)
  vips icc_transform "$f" "p3/$b.jpg[Q=92]" p3 --input-profile srgb
  vips icc_transform "$f" "adobe/$b.jpg[Q=92]" "$adobe" --input-profile srgb
done
printf '3 1\n0.299 0.587 0.114\n' > rec601.mat
for k in p3 adobe; do
  rm -rf "ref-$k" && mkdir "ref-$k"
  for w in new old; do
    bin=$new; [ "$w" = old ] && bin=$old
    [ -n "$bin" ] || continue
    rm -rf "$w-$k"
    "$bin" run "$k" "$w-$k" -f png --serial --quiet >/dev/null
  done
  for f in "$k"/*.jpg; do
    b=$(basename "$f" .jpg)
    vips thumbnail "$f" t.v 256 --export-profile srgb
    vips recomb t.v r.v rec601.mat && vips round r.v rr.v rint && vips cast rr.v "ref-$k/$b.v" uchar
    for w in new old; do
      [ -d "$w-$k" ] || continue
      vips subtract "$w-$k/$b.png" "ref-$k/$b.v" d.v && vips abs d.v a.v
      echo "$k $w $(vips avg a.v) $(vips max a.v) $(vips percent a.v 99)"
    done
  done
done | awk '{k=$1" "$2; n[k]++; s[k]+=$3; if ($4>m[k]) m[k]=$4; p[k]+=$5}
  END {for (k in n) printf "%s mean %.2f max %d p99 %.1f (%d photos)\n", k, s[k]/n[k], m[k], p[k]/n[k], n[k]}' |
  sort
