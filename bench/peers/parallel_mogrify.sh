#!/usr/bin/env bash
# ImageMagick mogrify, driven by GNU parallel -X: the listing is split
# evenly into JOBS mogrify processes (as many names per command as fit), so
# start-up is paid once per process, not per image. -strip as shardpix
# strips metadata. ImageMagick's own OpenMP threads are left at their default.
#   parallel_mogrify.sh IN OUT JOBS WIDTH HEIGHT QUALITY [EXT]
# With EXT (say jpg), every output is NAME.EXT in that format.
set -euo pipefail
in=$1 out=$2 jobs=$3 width=$4 height=$5 quality=$6 ext=${7:-}
format=()
[ -n "$ext" ] && format=(-format "$ext")
mkdir -p "$out"
find "$in" -maxdepth 1 -type f -regextype posix-extended \
     -iregex '.*\.(jpg|jpeg|png|webp|tif|tiff|gif)' -print0 | LC_ALL=C sort -z |
  parallel -0 -q -X -j "$jobs" mogrify -path "$out" "${format[@]}" -colorspace Gray \
    -resize "${width}x${height}>" -quality "$quality" -strip
