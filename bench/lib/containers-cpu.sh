#!/usr/bin/env bash
# CPU time (seconds, 3 decimals) the given docker containers have used so far: the sum over their
# cgroups (v1 cpuacct.usage, or v2 cpu.stat usage_usec; "NA" when neither can be read). Sourced by
# bench/run.sh (containers_cpu_of ID...) and run as a command by bench/handshake/measure.ts:
#
#   bench/lib/containers-cpu.sh ID...
containers_cpu_of() {
  local id total=0 ns file
  for id in "$@"; do
    if [ -r "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" ]; then
      ns="$(cat "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage")"
    else
      ns=""
      for file in "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" "/sys/fs/cgroup/docker/$id/cpu.stat"; do
        if [ -r "$file" ]; then
          ns="$(($(awk '$1 == "usage_usec" { print $2 }' "$file") * 1000))"
          break
        fi
      done
      [ -n "$ns" ] || { echo NA; return; }
    fi
    total=$((total + ns))
  done
  awk -v t="$total" 'BEGIN { printf "%.3f", t / 1e9 }'
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  containers_cpu_of "$@"
  echo
fi
