#!/usr/bin/env bash
# GNU parallel + the vips CLI, one image per command:
#   vips thumbnail IN tmp.v W --height H --size down   (shrink-on-load)
#   vips colourspace tmp.v OUT[Q=85,strip] b-w
# Reads what shardpix reads, HEIC, AVIF and JPEG XL included.
# (vipsthumbnail has no grey option, so the natural CLI recipe is these two
# commands through a .v temporary). The vips CLI's threads are left at their
# default, as users do.
#   parallel_vips.sh IN OUT JOBS WIDTH HEIGHT QUALITY [EXT]
# With EXT (say jpg), every output is NAME.EXT in that format.
set -euo pipefail
in=$1 out=$2 jobs=$3 width=$4 height=$5 quality=$6 ext=${7:-}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one() {
  local src=$1 out=$2 width=$3 height=$4 quality=$5 tmp=$6 ext=$7 slot=$8
  local name=${src##*/}
  [ -n "$ext" ] && name=${name%.*}.$ext
  local opts="[strip]"
  case ${name,,} in *.jpg|*.jpeg|*.webp|*.heic|*.heif|*.avif|*.jxl) opts="[Q=$quality,strip]" ;; esac
  vips thumbnail "$src" "$tmp/$slot.v" "$width" --height "$height" --size down &&
    vips colourspace "$tmp/$slot.v" "$out/$name$opts" b-w
}
export -f one
find "$in" -maxdepth 1 -type f -regextype posix-extended \
     -iregex '.*\.(jpg|jpeg|png|webp|tif|tiff|gif|heic|heif|avif|jxl)' -print0 | LC_ALL=C sort -z |
  parallel -0 -j "$jobs" one {} "$out" "$width" "$height" "$quality" "$tmp" "$ext" {%}
