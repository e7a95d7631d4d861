#!/usr/bin/env bash
# Benchmark of apim-provision against Ansible on the same hosts (issue 6). One command, as root:
#
#   bench/run.sh [--sizes 10,50,100] [--runs 3] [--install-size 5] [--out bench/RESULTS.md] [--smoke]
#
# For each size N: start N light docker containers (apim-bench/host:bookworm: the lab's bookworm host
# plus Debian's nginx, sshd), write one inventory both tools read and one known_hosts (ssh-keyscan),
# then, --runs times, with the tools alternated (odd runs apim-provision first, even runs Ansible
# first), each tool does on the same hosts:
#   1 first converge   hosts reset to fresh nginx-preinstalled state, then apply
#   2 no-op re-run     apply again, nothing to change
#   3 check + diff     the conf.d file edited on every host (docker exec), then --check --diff
# Scenario 4 (first install of nginx) runs on --install-size containers of apim-bench/bare:bookworm
# (no nginx); --install-size 0 leaves it out. Figures: wall time, peak RSS and CPU of the controller
# process tree (/usr/bin/time), CPU used inside the containers (cgroup cpuacct), SSH round trips per
# host (apim-provision: --json round_trips; Ansible: "SSH: EXEC" lines of one extra -vvv run per
# scenario at the smallest size if it is 10 or less, not timed). Raw figures go to bench/.work/<run>/results.tsv and
# bench/report/write-results.ts turns them into the results file.
#
# The containers are reached on their bridge IPs (port 22); the API-M backends in the inventory are
# TEST-NET placeholders (192.0.2.0/24), never contacted. Containers are removed on exit.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
export DOCKER_BUILDKIT=0 LC_ALL=C.UTF-8 LANG=C.UTF-8

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
SIZES="10,50,100"
RUNS=3
INSTALL_SIZE=5
OUT="$BENCH/RESULTS.md"
SMOKE=0
APT_NGINX_VERSION="" # filled from the image

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --install-size) INSTALL_SIZE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 5 ;;
  esac
done
[[ "$SIZES" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--sizes takes N,N,... (e.g. 10,50,100)" >&2; exit 5; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive number" >&2; exit 5; }
[[ "$INSTALL_SIZE" =~ ^[0-9]+$ ]] || { echo "--install-size takes a number (0: no scenario 4)" >&2; exit 5; }

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
  printf 'bench: ERROR: %s\n' "$*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "run me as root (docker, apt, container cgroups)"

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$BENCH/.work"
RUN_DIR="$WORK/run-$RUN_ID"
RESULTS_TSV="$RUN_DIR/results.tsv"
mkdir -p "$RUN_DIR"
CONTAINERS=() # every container this run started, removed on exit

cleanup() {
  local rc=$?
  if [ "${#CONTAINERS[@]}" -gt 0 ]; then
    say "removing ${#CONTAINERS[@]} bench containers"
    printf '%s\n' "${CONTAINERS[@]}" | xargs -r -n 20 docker rm -f >/dev/null 2>&1 || true
  fi
  stop_control_masters "$RUN_DIR/cp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Ansible's ControlPersist masters of one run: asked to exit through their own control sockets.
stop_control_masters() {
  local sock
  [ -d "$1" ] || return 0
  find "$1" -type s 2>/dev/null | while IFS= read -r sock; do
    ssh -o ControlPath="$sock" -O exit bench-host >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------- prerequisites
ensure_tools() {
  local missing=()
  command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible-core)
  [ -x /usr/bin/time ] || missing+=(time)
  command -v ssh-keyscan >/dev/null 2>&1 || missing+=(openssh-client)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }; then
    die "docker is missing or dockerd does not answer (scripts/ensure-lab-prereqs.sh sets it up)"
  fi
  command -v node >/dev/null 2>&1 || die "node is missing"
  if [ ! -f "$ROOT/dist/cli/main.js" ]; then
    say "building apim-provision (npm run build)"
    (cd "$ROOT" && npm run build >/dev/null)
  fi
}

# Builds a bench image unless one with the same recipe exists (label apim-bench.recipe).
build_image() {
  local image="$1" with_nginx="$2" base_id recipe
  base_id="$(docker image inspect -f '{{.Id}}' apim-lab/host:bookworm)"
  recipe="$(printf '%s %s %s' "$base_id" "$with_nginx" "$(cat "$BENCH"/image/* | sha256sum)" | sha256sum | cut -c1-16)"
  if [ "$(docker image inspect -f '{{ index .Config.Labels "apim-bench.recipe" }}' "$image" 2>/dev/null)" = "$recipe" ]; then
    return
  fi
  say "docker build $image (apt-get install inside the image, from Debian's mirror)"
  docker build --label "apim-bench.recipe=$recipe" --build-arg "WITH_NGINX=$with_nginx" \
    -t "$image" "$BENCH/image" >"$RUN_DIR/build-${image//[:\/]/-}.log" 2>&1 ||
    { cat "$RUN_DIR/build-${image//[:\/]/-}.log" >&2; die "docker build of $image failed"; }
}

ensure_images() {
  docker image inspect apim-lab/host:bookworm >/dev/null 2>&1 || {
    say "apim-lab/host:bookworm is missing: scripts/lab-images.sh"
    "$ROOT/scripts/lab-images.sh"
  }
  build_image apim-bench/host:bookworm 1
  [ "$INSTALL_SIZE" -gt 0 ] && build_image apim-bench/bare:bookworm 0
  APT_NGINX_VERSION="$(docker run --rm --entrypoint dpkg-query apim-bench/host:bookworm -W -f='${Version}' nginx)"
}

# One SSH key for every bench host, bind-mounted as the vagrant user's authorized_keys.
ensure_key() {
  [ -f "$WORK/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C apim-bench -f "$WORK/id_ed25519"
  chmod 0600 "$WORK/id_ed25519"
  chmod 0644 "$WORK/id_ed25519.pub"
}

# ---------------------------------------------------------------- hosts
# start_hosts <dir> <image> <count>: starts the containers, writes <dir>/hosts (name ip), known_hosts.
start_hosts() {
  local dir="$1" image="$2" count="$3" prefix names=() i name
  prefix="apim-bench-$RUN_ID-$(basename "$dir")"
  prefix="${prefix,,}"
  for i in $(seq -w 1 "$count"); do names+=("$prefix-$i"); done
  CONTAINERS+=("${names[@]}")
  say "starting $count containers from $image"
  printf '%s\n' "${names[@]}" | xargs -P 8 -I{} docker run -d --name {} --hostname bench \
    --label apim-bench.run="$RUN_ID" \
    -v "$WORK/id_ed25519.pub:/home/vagrant/.ssh/authorized_keys:ro" "$image" >/dev/null
  : >"$dir/hosts"
  for name in "${names[@]}"; do
    printf 'lb%s %s %s\n' "${name##*-}" "$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$name")" "$name" >>"$dir/hosts"
  done
  # sshd needs a moment after the container starts; keyscan until every host answered.
  local tries=0
  : >"$dir/known_hosts"
  while :; do
    cut -d' ' -f2 "$dir/hosts" | ssh-keyscan -T 5 -f - 2>/dev/null | sort -u >"$dir/known_hosts.tmp" || true
    if [ "$(cut -d' ' -f1 "$dir/known_hosts.tmp" | sort -u | wc -l)" -ge "$count" ]; then break; fi
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || die "ssh-keyscan: not every bench host answered after 30 tries"
    sleep 1
  done
  mv "$dir/known_hosts.tmp" "$dir/known_hosts"
}

# One inventory for both tools (Ansible's YAML inventory; apim-provision reads the same keys).
write_inventory() {
  local dir="$1" host ip name
  {
    echo "# bench inventory (bench/run.sh): both apim-provision and ansible-playbook read this file."
    echo "# apim1 is a TEST-NET placeholder backend (192.0.2.10): never contacted."
    echo "all:"
    echo "  vars:"
    echo "    apim_version: '4.x'"
    echo "    apim_pattern: single-node"
    echo "  children:"
    echo "    loadbalancers:"
    echo "      hosts:"
    while read -r host ip name; do
      echo "        $host:"
      echo "          ansible_host: $ip"
      echo "          ansible_port: 22"
      echo "          ansible_user: vagrant"
      echo "          ansible_ssh_private_key_file: $WORK/id_ed25519"
      echo "          ansible_become: true"
    done <"$dir/hosts"
    echo "    apim_all_in_one:"
    echo "      hosts:"
    echo "        apim1:"
    echo "          ansible_host: 192.0.2.10"
  } >"$dir/inventory.yml"
}

# The conf.d file apim-provision renders, the certificate made once for Ansible, the paths.
prepare_ansible_files() {
  local dir="$1" first conf cert key
  first="$(head -n1 "$dir/hosts" | cut -d' ' -f1)"
  mkdir -p "$dir/files" "$dir/render"
  node "$ROOT/bin/apim-provision.js" render "$dir/inventory.yml" --host "$first" \
    --nginx-version "${APT_NGINX_VERSION%%-*}" --out "$dir/render" 2>"$dir/render.log" >/dev/null ||
    { cat "$dir/render.log" >&2; die "apim-provision render failed"; }
  conf="$(find "$dir/render/$first" -type f | head -n1)"
  cp "$conf" "$dir/files/"
  cert="$(awk '$1 == "ssl_certificate" { sub(/;$/, "", $2); print $2; exit }' "$conf")"
  key="$(awk '$1 == "ssl_certificate_key" { sub(/;$/, "", $2); print $2; exit }' "$conf")"
  if [ -z "$cert" ] || [ -z "$key" ]; then die "no ssl_certificate in the rendered $conf"; fi
  local names
  names="$(awk '$1 == "server_name" { for (i = 2; i <= NF; i++) { n = $i; sub(/;$/, "", n); print n } }' "$conf" | sort -u)"
  local san
  # shellcheck disable=SC2086 # one name per word
  san="$(printf 'DNS:%s,' $names)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$(echo "$names" | head -n1)" \
    -addext "subjectAltName=${san%,}" -keyout "$dir/files/lb.key" -out "$dir/files/lb.crt" 2>/dev/null
  {
    echo "bench_files: $dir/files"
    echo "bench_conf_name: $(basename "$conf")"
    echo "bench_cert_path: $cert"
    echo "bench_key_path: $key"
    echo "bench_log_dirs:"
    awk '$1 ~ /^(access|error)_log$/ && $2 ~ /^\// { sub(/;$/, "", $2); print $2 }' "$conf" |
      xargs -r -n1 dirname | grep -vx /var/log/nginx | sort -u | sed 's/^/  - /'
  } >"$dir/bench-vars.yml"
  CONF_NAME="$(basename "$conf")"
  CERT_PATH="$cert"
  KEY_PATH="$key"
  # What a reset removes: each log folder's topmost new folder under /etc/nginx (e.g. /etc/nginx/log).
  LOG_DIRS="$(sed -n 's/^  - //p' "$dir/bench-vars.yml" |
    awk '/^\/etc\/nginx\/[^/]+\// { split($0, p, "/"); print "/" p[2] "/" p[3] "/" p[4]; next } { print }' |
    sort -u | tr '\n' ' ')"
}

# Runs a shell command as root in every container of <dir>, 16 at a time.
on_hosts() {
  local dir="$1" script="$2"
  cut -d' ' -f3 "$dir/hosts" | xargs -P 16 -I{} docker exec {} sh -c "$script" ||
    die "docker exec on the bench hosts failed: $script"
}

# Back to a fresh nginx-preinstalled host: no conf.d file, certificate, log folders or tool state.
reset_hosts() {
  on_hosts "$1" "rm -rf /etc/nginx/conf.d/$CONF_NAME $(dirname "$CERT_PATH") $KEY_PATH $LOG_DIRS \
    /var/lib/apim-provision /home/vagrant/.ansible /root/.ansible; nginx -s reload 2>/dev/null || nginx"
}

# Back to a host without nginx (scenario 4).
reset_bare_hosts() {
  on_hosts "$1" "pkill -x nginx; DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq 'nginx*' >/dev/null 2>&1; \
    apt-get autoremove -y -qq >/dev/null 2>&1; rm -rf /etc/nginx /var/log/nginx /var/lib/apim-provision \
    /var/cache/apt/archives/*.deb /home/vagrant/.ansible /root/.ansible; true"
}

edit_conf_on_hosts() {
  on_hosts "$1" "sed -i '1i # edited on the host by bench/run.sh (scenario 3)' /etc/nginx/conf.d/$CONF_NAME"
}

# CPU (seconds) used so far by the containers of <dir>: cgroup v1 cpuacct or v2 cpu.stat.
containers_cpu() {
  local dir="$1" ids id total=0 ns
  ids="$(cut -d' ' -f3 "$dir/hosts" | xargs docker inspect -f '{{.Id}}')"
  for id in $ids; do
    if [ -r "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" ]; then
      ns="$(cat "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage")"
    elif [ -r "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat" ]; then
      ns="$(($(awk '$1 == "usage_usec" { print $2 }' "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat") * 1000))"
    elif [ -r "/sys/fs/cgroup/docker/$id/cpu.stat" ]; then
      ns="$(($(awk '$1 == "usage_usec" { print $2 }' "/sys/fs/cgroup/docker/$id/cpu.stat") * 1000))"
    else
      echo "NA"
      return
    fi
    total=$((total + ns))
  done
  awk -v t="$total" 'BEGIN { printf "%.3f", t / 1e9 }'
}

# ---------------------------------------------------------------- one timed run
# timed <dir> <size> <scenario> <tool> <run> <expect: none|some> -- command...
# Appends: size scenario tool run wall_s maxrss_kb user_s sys_s target_cpu_s rt_per_host changed exit
timed() {
  local dir="$1" size="$2" scenario="$3" tool="$4" run="$5" expect="$6"
  shift 7
  local tag="$scenario-$tool-$run" cpu0 cpu1 rc=0 rt=NA changed=NA
  local log="$dir/logs/$tag.log" timefile="$dir/logs/$tag.time"
  mkdir -p "$dir/logs"
  cpu0="$(containers_cpu "$dir")"
  /usr/bin/time -f '%e %M %U %S' -o "$timefile" "$@" >"$log" 2>&1 || rc=$?
  cpu1="$(containers_cpu "$dir")"
  if [ "$tool" = apim-provision ]; then
    if [ -s "$dir/logs/$tag.json" ]; then
      read -r rt changed < <(node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const rt = r.hosts.reduce((s, h) => s + h.round_trips, 0) / r.hosts.length;
        console.log(rt.toFixed(1), r.totals.changed);' "$dir/logs/$tag.json")
    fi
  else
    changed="$(awk '/^PLAY RECAP/ { on = 1; next } on && / : ok=/ { for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$log")"
    stop_control_masters "$ANSIBLE_SSH_CONTROL_PATH_DIR"
  fi
  # Ansible's check mode exits 0; apim-provision without --detailed-exitcode too: anything else failed.
  [ "$rc" = 0 ] || { tail -n 30 "$log" >&2; die "$tag at N=$size exited $rc (log: $log)"; }
  case "$expect" in
    none) [ "$changed" = 0 ] || die "$tag at N=$size: expected no change, got changed=$changed (log: $log)" ;;
    some)
      if [ "$changed" = NA ] || [ "$changed" -lt "$size" ]; then
        die "$tag at N=$size: expected changes on every host, got changed=$changed (log: $log)"
      fi
      ;;
  esac
  local target_cpu=NA
  [ "$cpu0" != NA ] && [ "$cpu1" != NA ] && target_cpu="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", b - a }')"
  read -r wall rss user sys <"$timefile"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$scenario" "$tool" "$run" \
    "$wall" "$rss" "$user" "$sys" "$target_cpu" "$rt" "$changed" "$rc" >>"$RESULTS_TSV"
  say "N=$size $scenario $tool run $run: ${wall}s, rss ${rss} KB, changed=$changed, rt/host=$rt"
}

ours() {
  local dir="$1" size="$2" scenario="$3" run="$4" expect="$5"
  shift 5
  timed "$dir" "$size" "$scenario" apim-provision "$run" "$expect" -- \
    node "$ROOT/bin/apim-provision.js" apply "$dir/inventory.yml" --forks "$size" \
    --known-hosts "$dir/known_hosts" --pki-dir "$WORK/pki" --json "$dir/logs/$scenario-apim-provision-$run.json" "$@"
}

ansible_env() {
  export ANSIBLE_CONFIG="$BENCH/ansible/ansible.cfg" ANSIBLE_FORKS="$1" ANSIBLE_NOCOLOR=1
  export ANSIBLE_SSH_EXTRA_ARGS="-o UserKnownHostsFile=$2/known_hosts -o StrictHostKeyChecking=yes"
  export ANSIBLE_SSH_CONTROL_PATH_DIR="$RUN_DIR/cp/$3"
  mkdir -p "$ANSIBLE_SSH_CONTROL_PATH_DIR"
}

theirs() {
  local dir="$1" size="$2" scenario="$3" run="$4" expect="$5"
  shift 5
  ansible_env "$size" "$dir" "$(basename "$dir")-$scenario-$run"
  timed "$dir" "$size" "$scenario" ansible "$run" "$expect" -- \
    ansible-playbook -i "$dir/inventory.yml" -e "@$dir/bench-vars.yml" "$BENCH/ansible/site.yml" "$@"
}

# Scenarios 1-3 for one tool, on hosts converged by nobody.
scenarios_for() {
  local tool="$1" dir="$2" size="$3" run="$4"
  reset_hosts "$dir"
  "$tool" "$dir" "$size" converge "$run" some
  "$tool" "$dir" "$size" noop "$run" none
  edit_conf_on_hosts "$dir"
  "$tool" "$dir" "$size" check-diff "$run" some --check --diff
}

# Ansible's SSH round trips per host: "SSH: EXEC" lines (commands and sftp transfers) of -vvv runs.
count_ansible_round_trips() {
  local dir="$1" size="$2" scenario args=()
  reset_hosts "$dir"
  for scenario in converge noop check-diff; do
    [ "$scenario" = check-diff ] && { edit_conf_on_hosts "$dir"; args=(--check --diff); }
    ansible_env "$size" "$dir" "$(basename "$dir")-$scenario-vvv"
    ansible-playbook -vvv -i "$dir/inventory.yml" -e "@$dir/bench-vars.yml" "$BENCH/ansible/site.yml" "${args[@]}" \
      >"$dir/logs/$scenario-ansible-vvv.log" 2>&1 || die "the -vvv Ansible run of $scenario failed"
    stop_control_masters "$ANSIBLE_SSH_CONTROL_PATH_DIR"
    printf '%s\t%s\t%s\n' "$size" "$scenario" "$(grep -c 'SSH: EXEC' "$dir/logs/$scenario-ansible-vvv.log" |
      awk -v n="$size" '{ printf "%.1f", $1 / n }')" >>"$RUN_DIR/ansible-round-trips.tsv"
  done
}

bench_size() {
  local size="$1" dir="$RUN_DIR/n$1" run
  mkdir -p "$dir"
  start_hosts "$dir" apim-bench/host:bookworm "$size"
  write_inventory "$dir"
  prepare_ansible_files "$dir"
  for run in $(seq 1 "$RUNS"); do
    if [ $((run % 2)) = 1 ]; then
      scenarios_for ours "$dir" "$size" "$run"
      scenarios_for theirs "$dir" "$size" "$run"
    else
      scenarios_for theirs "$dir" "$size" "$run"
      scenarios_for ours "$dir" "$size" "$run"
    fi
  done
  # Round trips per host do not depend on N: counted once, at the smallest size if it is small.
  [ "$size" = "${SIZES%%,*}" ] && [ "$size" -le 10 ] && count_ansible_round_trips "$dir" "$size"
  local name
  while read -r _ _ name; do docker rm -f "$name" >/dev/null 2>&1 || true; done <"$dir/hosts"
}

bench_install() {
  local size="$INSTALL_SIZE" dir="$RUN_DIR/install-n$INSTALL_SIZE" run tool
  mkdir -p "$dir"
  start_hosts "$dir" apim-bench/bare:bookworm "$size"
  write_inventory "$dir"
  prepare_ansible_files "$dir"
  for run in $(seq 1 "$RUNS"); do
    for tool in $([ $((run % 2)) = 1 ] && echo "ours theirs" || echo "theirs ours"); do
      reset_bare_hosts "$dir"
      "$tool" "$dir" "$size" install "$run" some
    done
  done
}

# ---------------------------------------------------------------- main
main() {
  local started=$SECONDS size load_before
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  ensure_tools
  ensure_images
  ensure_key
  printf 'size\tscenario\ttool\trun\twall_s\tmaxrss_kb\tuser_s\tsys_s\ttarget_cpu_s\trt_per_host\tchanged\texit\n' >"$RESULTS_TSV"
  printf 'size\tscenario\trt_per_host\n' >"$RUN_DIR/ansible-round-trips.tsv"
  for size in ${SIZES//,/ }; do
    say "---- N=$size ($RUNS runs per tool and scenario)"
    bench_size "$size"
  done
  if [ "$INSTALL_SIZE" -gt 0 ]; then
    say "---- scenario 4: first install of nginx, N=$INSTALL_SIZE"
    bench_install
  fi
  {
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc=$(nproc)"
    echo "memory=$(free -m | awk '/^Mem:/ { print $2 " MiB" }')"
    echo "kernel=$(uname -sr)"
    echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "node=$(node --version)"
    echo "apim_provision_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ has uncommitted changes)')"
    echo "ansible_core=$(ansible-playbook --version 2>/dev/null | awk "NR == 1" | sed 's/.*core \(.*\)\]/\1/')"
    echo "openssh=$(ssh -V 2>&1)"
    echo "nginx=$APT_NGINX_VERSION (Debian bookworm, in the bench hosts)"
    echo "sizes=$SIZES"
    echo "runs=$RUNS"
    echo "install_size=$INSTALL_SIZE"
    echo "smoke=$SMOKE"
    echo "duration_s=$((SECONDS - started))"
    echo "command=bench/run.sh --sizes $SIZES --runs $RUNS --install-size $INSTALL_SIZE$([ "$SMOKE" = 1 ] && echo ' --smoke')"
    echo "load_before=$load_before"
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$RUN_DIR/meta.env"
  (cd "$ROOT" && npx --no-install tsx bench/report/write-results.ts "$RUN_DIR" "$OUT" "$BENCH/profiling-notes.md")
  say "done in $((SECONDS - started)) s: $OUT (raw figures: $RUN_DIR)"
}

main
