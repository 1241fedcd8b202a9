#!/usr/bin/env bash
# Slow storage against local warm storage, with and without --prefetch
# (issue 16). Mounts test/slowfs (a FUSE passthrough adding OPEN_MS per
# open and MS_PER_MB per megabyte read; the kernel keeps no page of a file
# across opens, as on a cold network folder) over DIR, then runs, ROUNDS
# times in alternation:
#   local   : shardpix run DIR          -j JOBS   (default --prefetch)
#   slow-0  : shardpix run MOUNT        -j JOBS --prefetch 0
#   slow    : shardpix run MOUNT        -j JOBS   (default --prefetch)
#   local-0 : shardpix run DIR          -j JOBS --prefetch 0
# and prints wall and CPU seconds and the workers' largest peak RSS (from
# --report) for each, then the medians and the ratios the issue asks for.
#   bench/slow-storage.sh DIR [BUILD_DIR]
# Environment: JOBS (2), ROUNDS (5), OPEN_MS (20), MS_PER_MB (5), SIZE (256).
# Needs root or a usable /dev/fuse, and fusermount3 (Debian fuse3).
set -euo pipefail

dir=$(realpath "${1:?usage: slow-storage.sh DIR [BUILD_DIR]}")
build=$(realpath "${2:-build}")
bin=$build/cmd/shardpix
slowfs=$build/test/slowfs
JOBS=${JOBS:-2} ROUNDS=${ROUNDS:-5} OPEN_MS=${OPEN_MS:-20} MS_PER_MB=${MS_PER_MB:-5}
SIZE=${SIZE:-256}
[ -x "$bin" ] && [ -x "$slowfs" ] || { echo "build first (needs libfuse3-dev): $bin, $slowfs" >&2; exit 2; }

tmp=$(mktemp -d /tmp/shardpix-slow-XXXXXX)
mnt=$tmp/mnt
mkdir "$mnt"
cleanup () { fusermount3 -u "$mnt" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
"$slowfs" "$dir" "$mnt" --open-ms="$OPEN_MS" --ms-per-mb="$MS_PER_MB"

# Warm the local page cache once: "local warm storage".
cat "$dir"/* > /dev/null

one () { # NAME INPUT EXTRA...
  local name=$1 input=$2; shift 2
  rm -rf "$tmp/out"
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" \
    "$bin" run "$input" "$tmp/out" -j "$JOBS" --size "$SIZE" --quiet --report "$tmp/r.json" "$@" \
    > /dev/null
  local rss
  rss=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]));
print(max(c["max_rss_kb"] for c in r["children"])//1024)' "$tmp/r.json")
  read -r wall user sys < "$tmp/time"
  echo "$name $wall $(echo "$user + $sys" | bc) $rss" | tee -a "$tmp/results"
}

echo "files: $(ls "$dir" | wc -l), $(du -sh "$dir" | cut -f1); -j $JOBS; slowfs $OPEN_MS ms/open, $MS_PER_MB ms/MB"
echo "name wall_s cpu_s worker_peak_rss_MB"
for r in $(seq "$ROUNDS"); do
  one local "$dir"
  one slow-0 "$mnt" --prefetch 0
  one slow "$mnt"
  one local-0 "$dir" --prefetch 0
done

python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, wall, cpu, rss = line.split()
    rows.setdefault(name, []).append((float(wall), float(cpu), int(rss)))
med = {k: tuple(statistics.median(x[i] for x in v) for i in range(3)) for k, v in rows.items()}
print("\nmedians (wall s, cpu s, worker peak RSS MB):")
for k in ("local", "local-0", "slow-0", "slow"):
    print(f"  {k:8s} {med[k][0]:7.2f} {med[k][1]:7.2f} {med[k][2]:6.0f}")
print(f"slow/local wall, prefetch on : {med['slow'][0] / med['local'][0]:.2f}x (target <= 1.15)")
print(f"slow/local wall, prefetch off: {med['slow-0'][0] / med['local'][0]:.2f}x")
print(f"local wall, prefetch on/off  : {med['local'][0] / med['local-0'][0]:.3f}x "
      f"(cpu {med['local'][1] / med['local-0'][1]:.3f}x)")
print(f"worker peak RSS, slow prefetch on - off: {med['slow'][2] - med['slow-0'][2]:+.0f} MB "
      "(target within 20)")
PY
