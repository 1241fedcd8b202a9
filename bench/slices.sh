#!/usr/bin/env bash
# How even the slices of one folder are (issue 16): runs every slice K/M of
# DIR one after the other, as M array tasks would on M equal nodes, once cut
# by count and once by bytes (--slice-balance), ROUNDS times alternating,
# and prints each slice's wall and CPU seconds and, per cut, the slowest
# slice against the mean (median over rounds).
#   bench/slices.sh DIR [BUILD_DIR]
# Environment: SLICES (4), JOBS (2), ROUNDS (3), SIZE (256).
# An uneven folder to try it on: bench/make-uneven-folder.sh.
set -euo pipefail

dir=$(realpath "${1:?usage: slices.sh DIR [BUILD_DIR]}")
bin=$(realpath "${2:-build}")/cmd/shardpix
SLICES=${SLICES:-4} JOBS=${JOBS:-2} ROUNDS=${ROUNDS:-3} SIZE=${SIZE:-256}
tmp=$(mktemp -d /tmp/shardpix-slices-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "$(ls "$dir" | wc -l) files, $(du -sh "$dir" | cut -f1); $SLICES slices, -j $JOBS; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "round balance slice files wall_s cpu_s"
for r in $(seq "$ROUNDS"); do
  for balance in count bytes; do
    for k in $(seq 0 $((SLICES - 1))); do
      rm -rf "$tmp/out"
      /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$bin" run "$dir" "$tmp/out" -j "$JOBS" \
        --size "$SIZE" --slice "$k/$SLICES" --slice-balance "$balance" > "$tmp/log"
      files=$(sed -n 's/.*(\([0-9]*\) of .*/\1/p' "$tmp/log" | head -n 1)
      read -r wall user sys < "$tmp/time"
      echo "$r $balance $k $files $wall $(echo "$user + $sys" | bc)" | tee -a "$tmp/results"
    done
  done
done

python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    r, balance, k, files, wall, cpu = line.split()
    rows.setdefault((balance, int(k)), []).append((int(files), float(wall), float(cpu)))
for balance in ("count", "bytes"):
    ks = sorted(k for b, k in rows if b == balance)
    wall = [statistics.median(x[1] for x in rows[(balance, k)]) for k in ks]
    cpu = [statistics.median(x[2] for x in rows[(balance, k)]) for k in ks]
    files = [rows[(balance, k)][0][0] for k in ks]
    print(f"{balance:5s}: files {files}, wall {['%.2f' % w for w in wall]}, "
          f"slowest/mean wall {max(wall) / statistics.mean(wall):.2f}, "
          f"cpu {max(cpu) / statistics.mean(cpu):.2f}")
PY
