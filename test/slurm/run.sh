#!/usr/bin/env bash
# A real Slurm job array over shardpix --slice auto, on a one-node cluster
# started here on localhost: munged, slurmctld and slurmd from Debian's
# packages (installed if missing), run as root without systemd, with a
# configuration written into a temporary folder. The array's four tasks
# each convert one slice of a generated folder; `shardpix report merge`
# checks that their reports cover the listing exactly once, and the merged
# outputs must be byte-identical to one plain `shardpix run`.
#
# Usage: test/slurm/run.sh [SHARDPIX_BINARY]   (default: $SHARDPIX_BIN or
# build/cmd/shardpix). Needs root. Stops the daemons it started, by their
# pids, whatever happens. The last line is "tests: N passed, N failed".
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

passed=0 failed=0
pass () { echo "PASS: $*"; passed=$((passed + 1)); }
fail () { echo "FAIL: $*"; failed=$((failed + 1)); }
finish () { echo "tests: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

cd "$(dirname "$0")/../.."
bin=${1:-${SHARDPIX_BIN:-build/cmd/shardpix}}
if [ ! -x "$bin" ]; then
  fail "no shardpix binary at $bin (build first)"; finish
fi
bin=$(realpath "$bin")
if [ "$(id -u)" -ne 0 ]; then
  fail "the Slurm test starts daemons as root: run it as root"; finish
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null \
   || ! command -v mungekey >/dev/null; then
  echo "installing slurmctld slurmd slurm-client munge"
  if ! apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null; then
    apt-get update -q >/dev/null
    apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null \
      || { fail "apt-get install slurmctld slurmd slurm-client munge"; finish; }
  fi
fi

tmp=$(mktemp -d /tmp/shardpix-slurm-XXXXXX)
chmod 0755 "$tmp"
pids=()
stop_daemons () {
  # The daemons detach: they are stopped by the pids they recorded, the
  # newest first, never by name (other clusters may run on this host).
  local pid
  for f in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munged.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ -n "${KEEP_SLURM_TMP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

host=$(hostname -s)
cpus=$(nproc)
# Ports of their own, so that a cluster already on this host is left alone.
ctld_port=${SLURMCTLD_PORT:-16817}
slurmd_port=${SLURMD_PORT:-16818}
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
chmod 0700 "$tmp/munge"

mungekey -c -k "$tmp/munge/munge.key" || { fail "mungekey"; finish; }
munged -f -S "$tmp/munge/socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/seed" \
  || { fail "munged did not start:"; cat "$tmp/log/munged.log"; finish; }

cat > "$tmp/slurm.conf" <<CONF
ClusterName=shardpix
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# slurmd 22.05 refuses to start without it when /sys/fs/cgroup is absent;
# cgroup/v1 is accepted even when unused ("disabled" exists from 24.05).
cat > "$tmp/cgroup.conf" <<CONF
CgroupPlugin=cgroup/v1
CONF
export SLURM_CONF=$tmp/slurm.conf

show_logs () {
  for f in "$tmp"/log/*.log; do echo "--- $f"; tail -n 30 "$f"; done
}

slurmctld -f "$SLURM_CONF" -c \
  || { fail "slurmctld did not start:"; show_logs; finish; }
slurmd -f "$SLURM_CONF" -N "$host" \
  || { fail "slurmd did not start:"; show_logs; finish; }
echo "munged pid $(cat "$tmp/munged.pid" 2>/dev/null), slurmctld pid" \
  "$(cat "$tmp/slurmctld.pid" 2>/dev/null), slurmd pid $(cat "$tmp/slurmd.pid" 2>/dev/null)"

# The node registers within seconds; wait up to 60 for it to be usable.
ready=
for _ in $(seq 120); do
  state=$(sinfo -h -N -n "$host" -o %t 2>/dev/null | head -n 1)
  case "$state" in idle|mix|alloc) ready=1; break ;; esac
  sleep 0.5
done
if [ -n "$ready" ]; then
  pass "one-node cluster up: node $host is $state"
else
  fail "node $host never became idle (state '${state:-none}')"; sinfo; show_logs; finish
fi

in=$tmp/work/in whole=$tmp/work/whole
"$bin" sample --count 24 --max-megapixels 0.6 --seed 6 "$in" >/dev/null \
  || { fail "shardpix sample"; finish; }

# Two arrays: slices by count over the folder's listing, then slices by
# bytes over a manifest (--files-from), as a job over a network folder
# would run. Each must cover the listing once and match one plain run.
(cd "$in" && find . -type f -printf '%P\n') > "$tmp/work/manifest.txt"
"$bin" run --quiet "$in" "$whole" >/dev/null || fail "plain shardpix run"

array () { # NAME EXTRA-RUN-ARGUMENTS...
  local name=$1; shift
  local out=$tmp/work/out-$name reports=$tmp/work/reports-$name
  mkdir -p "$reports"
  cat > "$tmp/work/$name.sbatch" <<JOB
#!/bin/bash
#SBATCH --job-name=shardpix-$name
#SBATCH --output=$tmp/work/task-$name-%A_%a.out
#SBATCH --cpus-per-task=1
echo "array task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_TASK_COUNT on \$(hostname -s)"
# Slurm expands %a only in #SBATCH paths: the task's id names its report.
exec "$bin" run --slice auto --jobs 2 $* "$in" "$out" \\
  --report "$reports/slice-\$SLURM_ARRAY_TASK_ID.json"
JOB

  echo "[$name] sbatch --array=0-3 --wait (polls every few seconds)"
  local submit rc jobid tasks f k n_reports
  submit=$(sbatch --parsable --array=0-3 --wait "$tmp/work/$name.sbatch" 2>&1)
  rc=$?
  jobid=${submit%%;*}
  jobid=$(echo "$jobid" | head -n 1)
  if [ $rc -eq 0 ]; then
    pass "[$name] sbatch --array=0-3 --wait: job $jobid, every task exited 0"
  else
    fail "[$name] sbatch --array=0-3 --wait exited $rc: $submit"; show_logs
  fi

  echo "--- the array's tasks (squeue -t all)"
  squeue -t all -j "$jobid" -o '%.12i %.10T %.8M %.6C %R' 2>&1
  tasks=0
  for k in 0 1 2 3; do
    f=$(ls "$tmp"/work/task-"$name"-*_"$k".out 2>/dev/null | head -n 1)
    [ -n "$f" ] || { fail "[$name] no output of array task $k"; continue; }
    echo "--- $(basename "$f")"
    cat "$f"
    tasks=$((tasks + 1))
  done
  [ "$tasks" -eq 4 ] && pass "[$name] four array tasks wrote their output"
  n_reports=$(ls "$reports"/slice-*.json 2>/dev/null | wc -l)
  [ "$n_reports" -eq 4 ] && pass "[$name] four slice reports" \
    || fail "[$name] $n_reports slice reports, expected 4"

  echo "--- shardpix report merge"
  if "$bin" report merge "$reports"/slice-*.json; then
    pass "[$name] report merge: the four slices cover the listing exactly once"
  else
    fail "[$name] report merge"
  fi
  if "$bin" report merge "$reports"/slice-0.json "$reports"/slice-1.json "$reports"/slice-3.json \
       2> "$tmp/work/missing.err" >/dev/null; then
    fail "[$name] report merge without slice 2 succeeded"
  elif grep -q "slice 2/4 missing" "$tmp/work/missing.err"; then
    pass "[$name] report merge without slice 2: $(tail -n 1 "$tmp/work/missing.err" | sed 's/^ *//')"
  else
    fail "[$name] report merge without slice 2 did not name it: $(cat "$tmp/work/missing.err")"
  fi

  if diff -r "$whole" "$out"; then
    pass "[$name] the array's outputs are byte-identical to one plain run ($(ls "$out" | wc -l) files)"
  else
    fail "[$name] the array's outputs differ from one plain run"
  fi
}

array count
array manifest-bytes --files-from "$tmp/work/manifest.txt" --slice-balance bytes
finish
