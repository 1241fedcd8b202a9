#!/usr/bin/env bash
# Serial cost per image, per input kind, for shardpix and the peers that can
# read the kind (issue 15, target 3). The job: grey, fit 256x256, JPEG Q85
# out, one image at a time (shardpix --serial; peers with one process, one
# libvips thread for sharp).
#   bench/per-kind.sh DIR [--instructions] [--sample N] [--repeat R]
#                         [--kinds a,b,...] [--tools a,b,...] [--keep DIR]
# Kinds come from bench/kinds.py (PNG IHDR, Pillow, ISOBMFF brand): the
# first N files of each kind (sorted; default all, 3 with --instructions)
# are hard-linked into a folder of their own and every tool runs on it.
#   CPU (default): user+sys seconds of the tool's processes (bash `time`),
#     median of R runs (default 3), per image in ms.
#   --instructions: instructions executed, from valgrind --tool=callgrind
#     (every process and thread, forks and execs followed), per image in
#     millions. Repeatable on a loaded machine, where CPU seconds are not;
#     slow (50-100x): keep N small.
# Per image = (cost on the kind's folder - cost on the baseline folder) / N.
# The baseline folder holds one 8x8 grey JPEG, and so does every kind's
# folder: start-up (dynamic linking, vips_init, Python imports, Node) and
# the JPEG saver's first use are measured once per tool and taken off. (An
# empty folder would not do: shardpix stops before vips_init when it finds
# no image.) A tool that writes fewer outputs than inputs did not read the
# kind: shown as "-" with what it read.
# Tools: shardpix (default), shardpix-nofast (--no-fast-paths),
# pillow-draft, opencv-reduced, sharp (bench/peers). shardpix is $SHARDPIX
# or build/cmd/shardpix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
peers=$here/peers

in=${1:?usage: per-kind.sh DIR [--instructions] [--sample N] [--repeat R] [--kinds a,b] [--tools a,b] [--keep DIR]}
shift
instructions='' sample='' repeat=3 kinds='' keep=''
tools=(shardpix shardpix-nofast pillow-draft opencv-reduced sharp)
while [ $# -gt 0 ]; do
  case $1 in
    --instructions) instructions=1; shift ;;
    --sample) sample=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    --tools) IFS=, read -r -a tools <<< "$2"; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "per-kind.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$instructions" ] && { repeat=1; sample=${sample:-3}; }
shardpix=${SHARDPIX:-$root/build/cmd/shardpix}
[ -x "$shardpix" ] || { echo "per-kind.sh: no shardpix at $shardpix (./dev.sh build, or set SHARDPIX)" >&2; exit 2; }
"$peers/install.sh"
[ -n "$instructions" ] && ! command -v valgrind >/dev/null &&
  { echo "per-kind.sh: --instructions needs valgrind (apt-get install valgrind)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$keep" ] && mkdir -p "$keep"
export VIPS_CONCURRENCY=1 PYTHONHASHSEED=0

command_for() {
  local tool=$1 src=$2 out=$3
  case $tool in
    shardpix) echo "$shardpix" run "$src" "$out" --serial --size 256x256 --quality 85 -f jpeg --quiet ;;
    shardpix-nofast) echo "$shardpix" run "$src" "$out" --serial --size 256x256 --quality 85 -f jpeg --quiet --no-fast-paths ;;
    pillow-draft) echo /usr/bin/python3 "$peers/pool_pillow_draft.py" "$src" "$out" 1 256 256 85 jpg ;;
    opencv-reduced) echo /usr/bin/python3 "$peers/pool_opencv_reduced.py" "$src" "$out" 1 256 256 85 jpg ;;
    sharp) echo env UV_THREADPOOL_SIZE=1 NODE_PATH="$peers/node/node_modules" node "$peers/sharp_peer.js" "$src" "$out" 1 256 256 85 jpg ;;
    *) echo "per-kind.sh: unknown tool $tool" >&2; exit 2 ;;
  esac
}

# measure TOOL SRC: prints the cost of one run (instructions, or CPU
# seconds) and the number of outputs.
measure() {
  local tool=$1 src=$2 out=$work/out cost
  rm -rf "$out" "$work"/cg.*
  # shellcheck disable=SC2046 # the command is split into words on purpose
  if [ -n "$instructions" ]; then
    # Node's JIT writes code into its heap, and libvips' Orc into a mapped
    # file (orcexec.*): --smc-check=all so valgrind sees both. With
    # all-non-file, shardpix died in Orc code under valgrind (SIGSEGV at 0).
    valgrind --tool=callgrind --trace-children=yes --smc-check=all \
      --callgrind-out-file="$work/cg.%p" $(command_for "$tool" "$src" "$out") \
      > "$work/log" 2>&1 || true
    cost=$(cat "$work"/cg.* | awk '/^totals:/ { s += $2 } END { printf "%.0f", s }')
    if [ -n "$keep" ] && [ "$src" != "$work/base" ]; then
      for f in "$work"/cg.*; do cp "$f" "$keep/$tool-$(basename "$src")-${f##*.}.callgrind"; done
    fi
  else
    local TIMEFORMAT='%U %S' t
    # shellcheck disable=SC2046,SC2091 # the command's words, run under `time`
    t=$({ time $(command_for "$tool" "$src" "$out") > "$work/log" 2>&1 || true; } 2>&1)
    cost=$(awk -v t="$t" 'BEGIN { split(t, a, " "); print a[1] + a[2] }')
  fi
  echo "$cost $(find "$out" -type f ! -name '.*' 2>/dev/null | wc -l)"
}

# median of R runs of the cost; the output count of the last.
median_cost() {
  local tool=$1 src=$2 costs=() r c n
  for ((r = 0; r < repeat; r++)); do
    read -r c n < <(measure "$tool" "$src")
    costs+=("$c")
  done
  echo "$(printf '%s\n' "${costs[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') $n"
}

/usr/bin/python3 "$here/kinds.py" "$in"/* > "$work/kinds"
mkdir -p "$work/base"
/usr/bin/python3 -c 'import sys; from PIL import Image; Image.new("L", (8, 8), 128).save(sys.argv[1], quality=85)' \
  "$work/base/000-baseline.jpg"
all_kinds=$(awk '$1 != "other" && $1 != "error" { print $1 }' "$work/kinds" | sort -u)
[ -n "$kinds" ] && all_kinds=$(tr , '\n' <<< "$kinds")
for kind in $all_kinds; do
  mkdir -p "$work/$kind"
  ln "$work/base/000-baseline.jpg" "$work/$kind/"
  # The sample is cut in awk: with `head`, awk dies of SIGPIPE on a kind
  # longer than the sample, and pipefail ends the script.
  awk -v k="$kind" -v n="${sample:-0}" '$1 == k && (n == 0 || taken++ < n)' "$work/kinds" |
    tee -a "$work/sampled" |
    while read -r _ _ _ f; do
      # Hard links (a copy across file systems): shardpix skips a symbolic
      # link that leads outside its input folder.
      ln "$f" "$work/$kind/" 2>/dev/null || cp "$f" "$work/$kind/"
    done
done

unit=$([ -n "$instructions" ] && echo "M instructions" || echo "ms CPU")
echo "folder $in; $unit per image; repeat $repeat; sample ${sample:-all}; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
results=$work/results
: > "$results"
for tool in "${tools[@]}"; do
  read -r base _ < <(median_cost "$tool" "$work/base")
  echo "$tool start-up: $base" >&2
  for kind in $all_kinds; do
    n=$(($(find "$work/$kind" -mindepth 1 | wc -l) - 1))
    [ "$n" -gt 0 ] || continue
    read -r cost outs < <(median_cost "$tool" "$work/$kind")
    echo "$tool $kind $n $cost $base $outs" >> "$results"
    echo "$tool $kind: $n files, $cost, $outs outputs" >&2
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

/usr/bin/python3 - "$results" "$unit" "$work/sampled" "${tools[@]}" <<'PY'
import collections, sys
path, unit, kinds_path, tools = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
scale = 1e6 if unit.startswith("M") else 1e-3
px = collections.defaultdict(list)
for line in open(kinds_path):
    kind, w, h, _ = line.split(" ", 3)
    px[kind].append(int(w) * int(h))
per = collections.defaultdict(dict)
counts = {}
for line in open(path):
    tool, kind, n, cost, base, outs = line.split()
    n, outs = int(n), int(outs)
    counts[kind] = n
    # The baseline JPEG is one of the outputs.
    outs -= 1
    per[kind][tool] = (float(cost) - float(base)) / n / scale if outs == n else f"- ({outs}/{n})"
peers = [t for t in tools if not t.startswith("shardpix")]
print(f"| kind | files | MP (mean) | " + " | ".join(tools) + " | best peer | shardpix / best |")
print("| --- | ---: | ---: | " + " | ".join("---:" for _ in tools) + " | --- | ---: |")
for kind in sorted(per):
    row = per[kind]
    cells = [f"{row[t]:.1f}" if isinstance(row.get(t), float) else row.get(t, "") for t in tools]
    read = [(row[t], t) for t in peers if isinstance(row.get(t), float)]
    best = min(read) if read else None
    ratio = (f"{row['shardpix'] / best[0]:.2f}" if best and isinstance(row.get("shardpix"), float)
             and best[0] > 0 else "-")
    mp = sum(px[kind]) / len(px[kind]) / 1e6 if px[kind] else 0
    print(f"| {kind} | {counts[kind]} | {mp:.2f} | " + " | ".join(cells) +
          f" | {best[1] if best else '-'} | {ratio} |")
PY
