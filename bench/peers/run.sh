#!/usr/bin/env bash
# Runs the same job with shardpix and its peers on one folder, alternately,
# and prints wall-time and CPU ratios against shardpix, and each tool's
# thumbnail quality (bench/quality.py: PSNR against an ideal reference).
#   bench/peers/run.sh IN [--jobs N] [--repeat R] [--size WxH] [--quality Q] [--log FILE]
#                         [--tools a,b,...] [--no-psnr] [--format EXT]
# Peers: pillow (Pool + Pillow), pillow-draft (the same with draft()),
# opencv (Pool + OpenCV IMREAD_GRAYSCALE), opencv-reduced (IMREAD_REDUCED_*
# picked from the header), sharp (Node, bundled libvips, JOBS images in
# flight with one libvips thread each), vips-cli (GNU parallel + vips
# thumbnail), mogrify (GNU parallel + ImageMagick).
# Job: grey, fit inside WxH (default 256x256) never enlarged, same name and
# format, JPEG/WebP at Q (default 85), N processes (default nproc). With
# --format jpg (issue 15's job: JPEG out whatever came in), every tool
# writes NAME.EXT in that format instead.
# Each round runs every tool once, the order rotating from round to round,
# so drift on a busy machine hits all tools alike. One untimed pass of
# `cat` first warms the page cache. CPU is user+sys of all the tool's
# processes (bash `time`): on a machine shared with other work it moves
# less than the wall time. shardpix is $SHARDPIX or build/cmd/shardpix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

in=${1:?usage: run.sh IN [--jobs N] [--repeat R] [--size WxH] [--quality Q] [--log FILE]}
shift
jobs=$(nproc) repeat=3 size=256x256 quality=85 log= psnr=1 ext=
tools=(shardpix pillow pillow-draft opencv opencv-reduced sharp vips-cli mogrify)
while [ $# -gt 0 ]; do
  case $1 in
    --jobs) jobs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --quality) quality=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --tools) IFS=, read -r -a tools <<< "shardpix,$2"; shift 2 ;;
    --no-psnr) psnr=; shift ;;
    --format) ext=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
width=${size%x*} height=${size#*x}
shardpix=${SHARDPIX:-$root/build/cmd/shardpix}
[ -x "$shardpix" ] || { echo "run.sh: no shardpix at $shardpix (meson compile -C build, or set SHARDPIX)" >&2; exit 2; }
"$here/install.sh"

command_for() {
  local tool=$1 out=$2
  case $tool in
    shardpix) echo "$shardpix" run "$in" "$out" -j "$jobs" --size "$size" --quality "$quality" --quiet ${ext:+-f "$ext"} ;;
    pillow) echo /usr/bin/python3 "$here/pool_pillow.py" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    pillow-draft) echo /usr/bin/python3 "$here/pool_pillow_draft.py" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    opencv-reduced) echo /usr/bin/python3 "$here/pool_opencv_reduced.py" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    sharp) echo env UV_THREADPOOL_SIZE="$jobs" NODE_PATH="$here/node/node_modules" node "$here/sharp_peer.js" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    opencv) echo /usr/bin/python3 "$here/pool_opencv.py" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    vips-cli) echo "$here/parallel_vips.sh" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
    mogrify) echo "$here/parallel_mogrify.sh" "$in" "$out" "$jobs" "$width" "$height" "$quality" $ext ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=$work/times
: > "$times"
find "$in" -maxdepth 1 -type f -exec cat {} + > /dev/null
inputs=$(find "$in" -maxdepth 1 -type f | wc -l)
echo "folder $in: $inputs files; jobs $jobs; repeat $repeat; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

n=${#tools[@]}
TIMEFORMAT='%R %U %S'
for ((r = 0; r < repeat; r++)); do
  for ((k = 0; k < n; k++)); do
    tool=${tools[$(((k + r) % n))]}
    out=$work/out-$tool
    rm -rf "$out"
    rc=0
    # bash's `time` gives wall and the CPU of all the tool's processes.
    # shellcheck disable=SC2046 # the command is split into words on purpose
    { time $(command_for "$tool" "$out") > "$work/$tool.log" 2>&1 || rc=$?; } 2> "$work/time"
    read -r wall user sys < "$work/time"
    cpu=$(awk "BEGIN { print $user + $sys }")
    produced=$(find "$out" -type f ! -name '.*' 2>/dev/null | wc -l)
    echo "$tool $wall $cpu $produced $rc" >> "$times"
    printf 'round %d %-9s %7.2f s wall %7.2f s CPU  %d outputs  exit %d\n' $((r + 1)) "$tool" \
      "$wall" "$cpu" "$produced" "$rc" >&2
  done
done
[ -n "$log" ] && cp "$times" "$log"
# Quality of the last round's outputs, tool by tool.
: > "$work/psnr"
if [ -n "$psnr" ]; then
  for tool in "${tools[@]}"; do
    /usr/bin/python3 "$here/../quality.py" "$in" "$work/out-$tool" > "$work/q.txt" 2>&1 || true
    line=$(grep -m 1 'files: median' "$work/q.txt" || head -n 1 "$work/q.txt")
    echo "$tool $line" >> "$work/psnr"
    echo "quality $tool: $line" >&2
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

/usr/bin/python3 - "$times" "$inputs" "$work/psnr" "${tools[@]}" <<'PY'
import re, statistics, sys
path, inputs, psnr_path, tools = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
psnr = {}
for line in open(psnr_path):
    tool, rest = line.split(" ", 1)
    m = re.search(r"median ([\d.]+) dB, 5th percentile ([\d.]+) dB", rest)
    psnr[tool] = f"{m.group(1)} / {m.group(2)}" if m else "-"
runs = {t: [] for t in tools}
cpus = {t: [] for t in tools}
outs = {t: set() for t in tools}
for line in open(path):
    tool, wall, cpu, produced, rc = line.split()
    runs[tool].append(float(wall))
    cpus[tool].append(float(cpu))
    outs[tool].add(f"{produced}" + ("" if rc == "0" else f" (exit {rc})"))
base = statistics.median(runs["shardpix"])
cbase = statistics.median(cpus["shardpix"])
print(f"| tool | median wall (s) | min-max (s) | ratio peer/shardpix | median CPU (s) "
      f"| CPU ratio | PSNR median / p5 (dB) | outputs (of {inputs}) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for t in tools:
    m = statistics.median(runs[t])
    c = statistics.median(cpus[t])
    print(f"| {t} | {m:.2f} | {min(runs[t]):.2f}-{max(runs[t]):.2f} | {m / base:.2f} | "
          f"{c:.2f} | {c / cbase:.2f} | {psnr.get(t, '-')} | {', '.join(sorted(outs[t]))} |")
PY
