#!/usr/bin/env bash
# A real one-node SLURM cluster from Debian's packages, without systemd, for the tests of
# `--executor slurm` and for trying it on one machine.
#   slurm.sh start   installs slurmctld, slurmd, slurm-client and munge when missing (as root),
#                    starts munged, slurmctld and slurmd; idempotent: a healthy cluster is kept
#   slurm.sh stop    cancels every job, stops the daemons this script started
#   slurm.sh status  says whether it runs (exit 0) or not (exit 3), with sinfo and squeue
#   slurm.sh env     prints `export SLURM_CONF=…`, for the SLURM commands to find this cluster
# Everything lives in one scratch folder, $PIPELINE_SLURM_DIR (default /tmp/pipeline-slurm):
# slurm.conf, the controller's state, the node's spool, the daemons' logs and pid files, and
# jobcomp.log (one line per finished job, since there is no accounting database). The ports are
# SLURM's defaults, 6817 (slurmctld) and 6818 (slurmd): a cluster left running from another scratch
# folder is stopped first; any other program on them is an error naming it.
set -euo pipefail
dir="${PIPELINE_SLURM_DIR:-/tmp/pipeline-slurm}"
conf="$dir/slurm.conf"
host="$(hostname -s)"
export SLURM_CONF="$conf"

say() { echo "slurm.sh: $*" >&2; }
die() { say "$*"; exit 1; }

install_packages() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd >/dev/null || missing+=(slurmd)
  command -v sbatch >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    die "missing ${missing[*]}: install them with apt-get as root (Debian's packages)"
  fi
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >&2
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  munge_works && return 0
  mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    mungekey --create --keyfile=/etc/munge/munge.key
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  # --force: a socket left by a munged that died is in the way otherwise.
  runuser -u munge -- /usr/sbin/munged --force 9>&-
  touch "$dir/munged.ours"
  for _ in $(seq 50); do munge_works && return 0; sleep 0.1; done
  die "munged did not answer within 5 s (see /var/log/munge/munged.log)"
}

# pid of the process listening on a TCP port, or nothing (from /proc: ss may not be installed).
port_pid() {
  local hex inode fd
  hex="$(printf '%04X' "$1")"
  # Listening sockets (state 0A) on that port, by inode.
  inode="$(awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { print $10; exit }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null)"
  [[ -n "$inode" ]] || return 0
  for fd in /proc/[0-9]*/fd/*; do
    if [[ "$(readlink "$fd" 2>/dev/null)" == "socket:[$inode]" ]]; then
      fd="${fd#/proc/}"
      echo "${fd%%/*}"
      return 0
    fi
  done
  return 0
}

# A zombie is not alive: where pid 1 does not reap orphans, an ended daemon stays one.
alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Stops one process by pid: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
  local pid="$1"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 20); do alive "$pid" || return 0; sleep 0.1; done
}

# The slurm.conf a daemon was started with (-f FILE), or nothing.
daemon_conf() {
  local -a args
  mapfile -d '' -t args <"/proc/$1/cmdline" 2>/dev/null || return 0
  local i
  for ((i = 0; i < ${#args[@]} - 1; i++)); do
    [[ "${args[i]}" == -f ]] && echo "${args[i + 1]}" && return 0
  done
  return 0
}

# Frees the ports of daemons this script started (from any scratch folder); another program on
# them, a system's own SLURM included, is an error that names it.
free_ports() {
  local port pid comm conf
  for port in 6817 6818; do
    pid="$(port_pid "$port")"
    [[ -z "$pid" ]] && continue
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')"
    conf="$(daemon_conf "$pid")"
    if [[ "$comm" != slurmctld && "$comm" != slurmd ]] ||
      [[ -z "$conf" ]] || ! head -n1 "$conf" 2>/dev/null | grep -q '^# Written by tools/slurm.sh'; then
      die "port $port is taken by $comm (pid $pid), not a cluster of this script: stop it, or use that cluster (SLURM_CONF)"
    fi
    say "stopping a $comm left running on port $port (pid $pid, $conf)"
    stop_pid "$pid"
  done
}

healthy() {
  [[ -f "$conf" ]] && alive "$(cat "$dir/slurmctld.pid" 2>/dev/null)" &&
    alive "$(cat "$dir/slurmd.pid" 2>/dev/null)" || return 1
  local state
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null)" || return 1
  [[ "$state" =~ ^(idle|mixed|allocated|completing)$ ]]
}

write_conf() {
  local layout
  # The node's CPU layout and memory as slurmd measures them, e.g.
  # "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
  layout="$(slurmd -C | head -n1 | sed -E 's/^NodeName=[^ ]+ //')"
  cat >"$conf" <<CONF
# Written by tools/slurm.sh: a one-node cluster for the pipeline's tests.
ClusterName=pipeline
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# No cgroups without systemd: track processes by their parent, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule a batch job as soon as it is submitted (else ≈ 3 s).
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
# Finished jobs stay visible to squeue for 5 minutes (the executor reads their final state there).
MinJobAge=300
# scancel and time limits: SIGTERM, then SIGKILL 5 s later.
KillWait=5
ReturnToService=2
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
NodeName=$host NodeAddr=127.0.0.1 $layout State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  install_packages
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock 9
  if healthy; then
    say "already running ($conf)"
    return 0
  fi
  stop_daemons
  free_ports
  start_munge
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir/state" "$dir/spool"
  write_conf
  slurmctld -f "$conf" 9>&- || die "slurmctld did not start (see $dir/slurmctld.log)"
  slurmd -f "$conf" 9>&- || die "slurmd did not start (see $dir/slurmd.log)"
  local state=""
  for _ in $(seq 300); do
    state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
    [[ "$state" == idle ]] && break
    if [[ "$state" =~ ^(down|drain|drained) ]]; then
      scontrol update nodename="$host" state=resume 2>/dev/null || true
    fi
    sleep 0.1
  done
  [[ "$state" == idle ]] ||
    die "node $host is '$state' after 30 s (see $dir/slurmctld.log, $dir/slurmd.log)"
  say "running: one node ($host), SLURM_CONF=$conf"
}

# Cancels every job, waits for them to end, then stops slurmd and slurmctld (in that order:
# stopping slurmd does not end the jobs it runs).
stop_daemons() {
  if alive "$(cat "$dir/slurmctld.pid" 2>/dev/null)"; then
    local jobs
    jobs="$(squeue -h -o %i 2>/dev/null || true)"
    if [[ -n "$jobs" ]]; then
      # shellcheck disable=SC2086
      scancel $jobs 2>/dev/null || true
      for _ in $(seq 150); do
        [[ -z "$(squeue -h -t running,completing,pending -o %i 2>/dev/null)" ]] && break
        sleep 0.1
      done
    fi
  fi
  stop_pid "$(cat "$dir/slurmd.pid" 2>/dev/null || true)"
  stop_pid "$(cat "$dir/slurmctld.pid" 2>/dev/null || true)"
  rm -f "$dir/slurmd.pid" "$dir/slurmctld.pid"
}

stop() {
  [[ -d "$dir" ]] || return 0
  exec 9>"$dir/.lock"
  flock 9
  stop_daemons
  if [[ -f "$dir/munged.ours" ]]; then
    munged --stop >/dev/null 2>&1 || true
    rm -f "$dir/munged.ours"
  fi
  say "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if healthy; then
      say "running ($conf)"
      sinfo >&2
      squeue >&2
    else
      say "not running"
      exit 3
    fi
    ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *)
    echo "usage: tools/slurm.sh start|stop|status|env" >&2
    exit 2
    ;;
esac
