#!/usr/bin/env bash
# shardpix --serial against -j N on one folder, alternately, with the
# per-child table of every parallel pass (issue 4: speedup and imbalance).
#   bench/serial-vs-jobs.sh IN [N] [ROUNDS]
set -euo pipefail
in=${1:?usage: serial-vs-jobs.sh IN [N] [ROUNDS]}
jobs=${2:-2} rounds=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
shardpix=${SHARDPIX:-$root/build/cmd/shardpix}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT='wall %R s  user %U s  sys %S s'
find "$in" -maxdepth 1 -type f -exec cat {} + > /dev/null
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
  for mode in serial "j$jobs"; do
    rm -rf "$work/out"
    echo "== round $r: $mode"
    if [ "$mode" = serial ]; then
      time "$shardpix" run "$in" "$work/out" --serial --size 256x256 --quality 85
    else
      time "$shardpix" run "$in" "$work/out" -j "$jobs" --size 256x256 --quality 85
    fi
  done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
