#!/usr/bin/env bash
# Benchmark of apim-provision against Ansible and against the floor, on the same hosts (issues 6
# and 15). One command, as root:
#
#   bench/run.sh [--sizes 10,50] [--runs 3] [--install-size 5] [--handshake-rounds 5]
#                [--scale-sizes 1000,5000] [--contenders apim-provision,ansible,floor]
#                [--out bench/RESULTS.md] [--smoke]
#
# For each size N: start N light docker containers (apim-bench/host:bookworm: the lab's bookworm host
# plus Debian's nginx, sshd), write one inventory both tools read and one known_hosts (ssh-keyscan),
# then, --runs times, with the three contenders rotated (run 1: apim-provision, Ansible, floor; run 2:
# Ansible, floor, apim-provision; run 3: floor, apim-provision, Ansible; ...), each does on the same
# hosts:
#   1 first converge   hosts reset to fresh nginx-preinstalled state, then apply
#   2 no-op re-run     apply again, nothing to change
#   3 check + diff     the conf.d file edited on every host (docker exec), then --check --diff
# The floor (bench/floor.sh) is the least remote work each scenario needs, done by plain OpenSSH: one
# connection per host, all at once, one shell command. Scenario 4 (first install of nginx) runs on
# --install-size containers of apim-bench/bare:bookworm (no nginx); --install-size 0 leaves it out.
# At the smallest size, bench/handshake/measure.ts then measures what one SSH connection costs (our
# transport, ssh2 variants, OpenSSH) over --handshake-rounds rounds (0: not measured). Finally
# bench/scale/run.ts runs the controller alone against simulated hosts (--scale-sizes; empty: not run).
# Figures: wall time, peak RSS and CPU of the controller process tree (/usr/bin/time), CPU used inside
# the containers (cgroup cpuacct), SSH round trips per host (apim-provision: --json round_trips;
# Ansible: "SSH: EXEC" lines of one extra -vvv run per scenario at the smallest size if it is 10 or
# less, not timed; the floor: 1). Raw figures go to bench/.work/<run>/*.tsv and
# bench/report/write-results.ts turns them into the results file.
#
# The containers are reached on their bridge IPs (port 22); the API-M backends in the inventory are
# TEST-NET placeholders (192.0.2.0/24), never contacted. Containers are removed on exit.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
export DOCKER_BUILDKIT=0 LC_ALL=C.UTF-8 LANG=C.UTF-8

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
# shellcheck source=bench/lib/containers-cpu.sh disable=SC1091 # followed with shellcheck -x
. "$BENCH/lib/containers-cpu.sh"
SIZES="10,50"
RUNS=3
INSTALL_SIZE=5
HANDSHAKE_ROUNDS=5
SCALE_SIZES="1000,5000"
CONTENDERS="ours,theirs,floor"
OUT="$BENCH/RESULTS.md"
SMOKE=0
APT_NGINX_VERSION="" # filled from the image

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --install-size) INSTALL_SIZE="$2"; shift 2 ;;
    --handshake-rounds) HANDSHAKE_ROUNDS="$2"; shift 2 ;;
    --scale-sizes) SCALE_SIZES="$2"; shift 2 ;;
    --contenders) CONTENDERS="${2//apim-provision/ours}"; CONTENDERS="${CONTENDERS//ansible/theirs}"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 5 ;;
  esac
done
[[ "$SIZES" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--sizes takes N,N,... (e.g. 10,50,100)" >&2; exit 5; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive number" >&2; exit 5; }
[[ "$INSTALL_SIZE" =~ ^[0-9]+$ ]] || { echo "--install-size takes a number (0: no scenario 4)" >&2; exit 5; }
[[ "$HANDSHAKE_ROUNDS" =~ ^[0-9]+$ ]] || { echo "--handshake-rounds takes a number (0: not measured)" >&2; exit 5; }
[[ "$SCALE_SIZES" =~ ^([0-9]+(,[0-9]+)*)?$ ]] || { echo "--scale-sizes takes N,N,... (empty: not run)" >&2; exit 5; }
[[ "$CONTENDERS" =~ ^(ours|theirs|floor)(,(ours|theirs|floor))*$ ]] ||
  { echo "--contenders takes a list of apim-provision, ansible, floor" >&2; exit 5; }

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
  command -v strace >/dev/null 2>&1 || missing+=(strace) # bench/host-cpu/steps.ts
  if [ "${#missing[@]}" -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }; then
    die "docker is missing or dockerd does not answer (scripts/ensure-lab-prereqs.sh sets it up)"
  fi
  command -v node >/dev/null 2>&1 || die "node is missing"
  # Always: a dist/ older than src/ would be measured instead of the code of this revision.
  say "building apim-provision (npm run build)"
  (cd "$ROOT" && npm run build >"$RUN_DIR/build.log" 2>&1) || { cat "$RUN_DIR/build.log" >&2; die "npm run build failed"; }
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
    echo "          apim_address: 192.0.2.10"
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

# The floor's upload (bench/floor.sh): the Ansible files (conf.d file, certificate, key) and the log
# folders nginx -t needs, in one tar with their final paths, modes and root ownership. FLOOR_SUMS:
# their SHA-256, which the floor's no-op must read back.
prepare_floor_files() {
  local dir="$1" stage="$1/floor/stage" logdir members
  rm -rf "$dir/floor"
  mkdir -p "$stage"
  install -D -m 0644 "$dir/files/$CONF_NAME" "$stage/etc/nginx/conf.d/$CONF_NAME"
  install -d -m 0700 "$stage$(dirname "$CERT_PATH")" "$stage$(dirname "$KEY_PATH")"
  install -m 0644 "$dir/files/lb.crt" "$stage$CERT_PATH"
  install -m 0600 "$dir/files/lb.key" "$stage$KEY_PATH"
  sed -n 's/^  - //p' "$dir/bench-vars.yml" | while IFS= read -r logdir; do install -d -m 0755 "$stage$logdir"; done
  members="etc/nginx/conf.d/$CONF_NAME $(dirname "${CERT_PATH#/}") $(dirname "${KEY_PATH#/}")"
  for logdir in $LOG_DIRS; do members="$members ${logdir#/}"; done
  # shellcheck disable=SC2086,SC2046 # one member per word
  tar -C "$stage" --owner=0 --group=0 --numeric-owner -cf "$dir/floor/payload.tar" $(printf '%s\n' $members | sort -u)
  FLOOR_SUMS="$(cd "$dir/files" && sha256sum "$CONF_NAME" lb.crt lb.key | cut -d' ' -f1 | tr '\n' ' ')"
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

# CPU (seconds) used so far by the containers of <dir> (bench/lib/containers-cpu.sh).
containers_cpu() {
  # shellcheck disable=SC2046 # one container id per word
  containers_cpu_of $(cut -d' ' -f3 "$1/hosts" | xargs docker inspect -f '{{.Id}}')
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
  case "$tool" in
    apim-provision)
      if [ -s "$dir/logs/$tag.json" ]; then
        read -r rt changed < <(node -e '
          const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
          const rt = r.hosts.reduce((s, h) => s + h.round_trips, 0) / r.hosts.length;
          console.log(rt.toFixed(1), r.totals.changed);' "$dir/logs/$tag.json")
      fi
      ;;
    ansible)
      changed="$(awk '/^PLAY RECAP/ { on = 1; next } on && / : ok=/ { for (i = 1; i <= NF; i++) if ($i ~ /^changed=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$log")"
      stop_control_masters "$ANSIBLE_SSH_CONTROL_PATH_DIR"
      ;;
    floor) rt=1.0 ;; # one command per host; its output is checked by check_floor_output
  esac
  # Ansible's check mode exits 0; apim-provision without --detailed-exitcode too: anything else failed.
  [ "$rc" = 0 ] || { tail -n 30 "$log" >&2; die "$tag at N=$size exited $rc (log: $log)"; }
  case "$expect" in
    none) [ "$changed" = 0 ] || die "$tag at N=$size: expected no change, got changed=$changed (log: $log)" ;;
    some)
      if [ "$changed" = NA ] || [ "$changed" -lt "$size" ]; then
        die "$tag at N=$size: expected changes on every host, got changed=$changed (log: $log)"
      fi
      ;;
    any) ;;
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

# The floor of a scenario (bench/floor.sh); same arguments as ours/theirs, expectation and tool
# options unused: its output is checked instead (not timed).
floor() {
  local dir="$1" size="$2" scenario="$3" run="$4"
  timed "$dir" "$size" "$scenario" floor "$run" any -- bash "$BENCH/floor.sh" "$scenario" "$dir" \
    "$WORK/id_ed25519" "/etc/nginx/conf.d/$CONF_NAME" "$CERT_PATH" "$KEY_PATH"
  check_floor_output "$dir" "$scenario"
}

# The floor did its work on every host: the no-op read the files the converge deployed (and nginx -V),
# check-diff read the edited file; converge and install are checked by the no-op after them.
check_floor_output() {
  local dir="$1" scenario="$2" out="$1/floor-out/$2" name sum
  while read -r name _; do
    case "$scenario" in
      noop)
        for sum in $FLOOR_SUMS; do
          grep -q "^$sum " "$out/$name.out" || die "floor noop on $name: no file with SHA-256 $sum (see $out)"
        done
        grep -q '^nginx version: ' "$out/$name.err" || die "floor noop on $name: no nginx -V output (see $out)"
        ;;
      check-diff)
        grep -qx '# edited on the host by bench/run.sh (scenario 3)' "$out/$name.out" ||
          die "floor check-diff on $name: the edited conf.d file was not read (see $out)"
        ;;
    esac
  done <"$dir/hosts"
}

# Run r's order of the three contenders: rotated by one each run, so each comes first, second and
# third equally often over 3 runs (the hosts' page cache and sshd state favour no one).
contenders() {
  local run="$1" all=(ours theirs floor) i
  for i in 0 1 2; do
    case ",$CONTENDERS," in *",${all[$(((run - 1 + i) % 3))]},"*) printf '%s\n' "${all[$(((run - 1 + i) % 3))]}" ;; esac
  done
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
  prepare_floor_files "$dir"
  local tool
  for run in $(seq 1 "$RUNS"); do
    for tool in $(contenders "$run"); do scenarios_for "$tool" "$dir" "$size" "$run"; done
  done
  if [ "$size" = "${SIZES%%,*}" ]; then
    # Round trips per host do not depend on N: counted once, at the smallest size if it is small.
    [ "$size" -le 10 ] && [[ ",$CONTENDERS," == *,theirs,* ]] && count_ansible_round_trips "$dir" "$size"
    measure_handshakes "$dir"
    measure_host_steps "$dir"
  fi
  local name
  while read -r _ _ name; do docker rm -f "$name" >/dev/null 2>&1 || true; done <"$dir/hosts"
}

bench_install() {
  local size="$INSTALL_SIZE" dir="$RUN_DIR/install-n$INSTALL_SIZE" run tool
  mkdir -p "$dir"
  start_hosts "$dir" apim-bench/bare:bookworm "$size"
  write_inventory "$dir"
  prepare_ansible_files "$dir"
  prepare_floor_files "$dir"
  for run in $(seq 1 "$RUNS"); do
    for tool in $(contenders "$run"); do
      reset_bare_hosts "$dir"
      "$tool" "$dir" "$size" install "$run" some
    done
  done
}

# What one SSH connection costs (ours, ssh2 variants, OpenSSH), on the hosts of <dir>, one at a time.
measure_handshakes() {
  [ "$HANDSHAKE_ROUNDS" -gt 0 ] || return 0
  say "SSH connection costs on these hosts, $HANDSHAKE_ROUNDS rounds (bench/handshake/measure.ts)"
  (cd "$ROOT" && npx --no-install tsx bench/handshake/measure.ts "$1/hosts" "$1/known_hosts" \
    "$WORK/id_ed25519" "$HANDSHAKE_ROUNDS" "$RUN_DIR/handshake.tsv") >"$RUN_DIR/handshake.log" 2>&1 ||
    { tail -n 20 "$RUN_DIR/handshake.log" >&2; die "the handshake measurement failed (log: $RUN_DIR/handshake.log)"; }
}

# What each remote step costs a host (bench/host-cpu/steps.ts), on the first host of <dir>.
measure_host_steps() {
  [ "$HANDSHAKE_ROUNDS" -gt 0 ] || return 0
  say "host CPU per remote step, $HANDSHAKE_ROUNDS rounds (bench/host-cpu/steps.ts)"
  (cd "$ROOT" && npx --no-install tsx bench/host-cpu/steps.ts "$1" "$WORK/id_ed25519" \
    "$HANDSHAKE_ROUNDS" "$RUN_DIR/host-steps.tsv") >"$RUN_DIR/host-steps.log" 2>&1 ||
    { tail -n 20 "$RUN_DIR/host-steps.log" >&2; die "the host step measurement failed (log: $RUN_DIR/host-steps.log)"; }
}

# The controller alone against simulated hosts (bench/scale/run.ts).
measure_scale() {
  [ -n "$SCALE_SIZES" ] || return 0
  say "---- controller scale test, simulated hosts: $SCALE_SIZES (bench/scale/run.ts)"
  (cd "$ROOT" && npx --no-install tsx bench/scale/run.ts --sizes "$SCALE_SIZES" --work "$RUN_DIR/scale" \
    --out "$RUN_DIR/scale.tsv" --no-build) 2>&1 | tee "$RUN_DIR/scale.log" >&2 ||
    die "the scale test failed (log: $RUN_DIR/scale.log)"
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
  measure_scale
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
    echo "handshake_rounds=$HANDSHAKE_ROUNDS"
    echo "scale_sizes=$SCALE_SIZES"
    echo "contenders=$CONTENDERS"
    echo "smoke=$SMOKE"
    echo "duration_s=$((SECONDS - started))"
    echo "command=bench/run.sh --sizes $SIZES --runs $RUNS --install-size $INSTALL_SIZE --handshake-rounds $HANDSHAKE_ROUNDS --scale-sizes '$SCALE_SIZES'$([ "$CONTENDERS" != ours,theirs,floor ] && echo " --contenders $CONTENDERS")$([ "$SMOKE" = 1 ] && echo ' --smoke')"
    echo "load_before=$load_before"
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$RUN_DIR/meta.env"
  (cd "$ROOT" && npx --no-install tsx bench/report/write-results.ts "$RUN_DIR" "$OUT" "$BENCH/profiling-notes.md")
  say "done in $((SECONDS - started)) s: $OUT (raw figures: $RUN_DIR)"
}

main
