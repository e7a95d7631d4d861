#!/usr/bin/env bash
# The floor of one bench scenario: the least remote work any tool must do for it, done with plain
# OpenSSH and shell, one fresh connection per host (no ControlMaster), every host at once. bench/run.sh
# times it like the two tools, on the same hosts, in the same run:
#
#   bench/floor.sh SCENARIO DIR KEY CONF CERT TLSKEY
#
#   noop        one command: the managed files' SHA-256 (sudo sha256sum CONF CERT TLSKEY) and nginx -V
#   check-diff  one command: the managed files read (sudo cat CONF CERT TLSKEY)
#   converge    the three files (and the log folders nginx -t needs) uploaded in one tar stream on the
#               command's stdin, unpacked as root, nginx -t on them, one nginx -s reload
#   install     apt-get update and apt-get install nginx, then what converge does (nginx started
#               when the package left it stopped)
#
# DIR holds `hosts` (name ip container), `known_hosts` and, for converge and install, floor/payload.tar
# (bench/run.sh builds it once per size, not timed). Each host's stdout and stderr go to
# DIR/floor-out/SCENARIO/<name>.out|.err, checked by bench/run.sh after the timed part. The SSH
# algorithms are the cheapest safe ones, the ones apim-provision negotiates (curve25519, ed25519,
# AES-GCM): OpenSSH's default post-quantum key exchange costs the client several times more CPU
# (bench/handshake), which would lift the floor above the least work.
set -euo pipefail

[ $# = 6 ] || { sed -n '5p' "$0" | sed 's/^# *//' >&2; exit 5; }
scenario="$1" dir="$2" key="$3" conf="$4" cert="$5" tlskey="$6"
out="$dir/floor-out/$scenario"
rm -rf "$out"
mkdir -p "$out"

# Unpacks only the listed members: existing parents (/etc, /etc/nginx) keep their owner and mode.
unpack="tar -xpf - -C / --no-overwrite-dir && nginx -t -q"
stdin=/dev/null
case "$scenario" in
  noop) remote="sudo -n sha256sum -- '$conf' '$cert' '$tlskey' && /usr/sbin/nginx -V" ;; # not on a user's PATH
  check-diff) remote="sudo -n cat -- '$conf' '$cert' '$tlskey'" ;;
  converge)
    remote="sudo -n sh -c '$unpack && nginx -s reload'"
    stdin="$dir/floor/payload.tar"
    ;;
  install)
    remote="sudo -n sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null \
&& $unpack && { nginx -s reload 2>/dev/null || nginx; }'"
    stdin="$dir/floor/payload.tar"
    ;;
  *) echo "floor.sh: unknown scenario $scenario" >&2; exit 5 ;;
esac

ssh_opts=(
  -F /dev/null -o BatchMode=yes -o ControlMaster=no -o ControlPath=none
  -o "UserKnownHostsFile=$dir/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes
  -o IdentitiesOnly=yes -i "$key" -l vagrant
  -o KexAlgorithms=curve25519-sha256 -o HostKeyAlgorithms=ssh-ed25519 -o Ciphers=aes128-gcm@openssh.com
)

pids=()
while read -r name ip _; do
  # shellcheck disable=SC2029 # the remote command is built here on purpose
  ssh "${ssh_opts[@]}" "$ip" "$remote" <"$stdin" >"$out/$name.out" 2>"$out/$name.err" &
  pids+=("$!")
done <"$dir/hosts"
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
if [ "$failed" -gt 0 ]; then
  echo "floor $scenario: $failed of ${#pids[@]} hosts failed (output in $out)" >&2
  exit 1
fi
