#!/usr/bin/env bash
# Makes sure the tests' prerequisites are present: docker (with a running dockerd), vagrant,
# debootstrap, ssh and ssh-keyscan, tar, nginx, sshd, sudo, openssl, curl, shellcheck. On
# Debian/Ubuntu as root, missing packages are installed (apt-get update first) and dockerd is
# started when it does not answer. Otherwise this prints exactly what to install or start, and
# exits non-zero.
#
# Usage: scripts/ensure-lab-prereqs.sh [--check] [--only COMMAND...]
#   --check: report only, change nothing; --only: just these commands (no docker or root check),
#   e.g. `--only shellcheck` for the lint step of `npm test`.
set -euo pipefail
# debootstrap and dockerd live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

CHECK_ONLY=0
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK_ONLY=1 ;;
    --only)
      shift
      ONLY=("$@")
      break
      ;;
    *)
      echo "usage: $0 [--check] [--only COMMAND...]" >&2
      exit 5
      ;;
  esac
  shift
done

say() { printf 'lab-prereqs: %s\n' "$*"; }
fail() {
  printf 'lab-prereqs: ERROR: %s\n' "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
can_fix() { [ "$CHECK_ONLY" = 0 ] && is_root && is_debian; }

# command -> Debian package providing it. dockerd, not docker: a machine may ship a docker client
# alone (e.g. /usr/local/bin/docker) with no engine. nginx, sshd, sudo and openssl are for the
# tests that run real nginx -t, a real local sshd and real certificates outside the lab.
declare -A PACKAGE_OF=(
  [dockerd]=docker.io
  [vagrant]=vagrant
  [nginx]=nginx
  [sshd]=openssh-server
  [sudo]=sudo
  [openssl]=openssl
  [curl]=curl
  [debootstrap]=debootstrap
  [ssh]=openssh-client
  [ssh-keyscan]=openssh-client
  [tar]=tar
  [shellcheck]=shellcheck
)
REQUIRED=(dockerd vagrant debootstrap ssh ssh-keyscan tar nginx sshd sudo openssl curl shellcheck)
[ "${#ONLY[@]}" -eq 0 ] || REQUIRED=("${ONLY[@]}")

missing_packages=()
for cmd in "${REQUIRED[@]}"; do
  [ -n "${PACKAGE_OF[$cmd]:-}" ] || fail "no Debian package known for $cmd"
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    pkg="${PACKAGE_OF[$cmd]}"
    [[ " ${missing_packages[*]} " == *" $pkg "* ]] || missing_packages+=("$pkg")
  fi
done

if [ "${#missing_packages[@]}" -gt 0 ]; then
  if can_fix; then
    say "installing ${missing_packages[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing_packages[@]}"
  else
    fail "missing: ${missing_packages[*]}. Fix (as root on Debian/Ubuntu): apt-get update && apt-get install -y ${missing_packages[*]}"
  fi
fi

if [ "${#ONLY[@]}" -gt 0 ]; then
  say "ok: ${ONLY[*]}"
  exit 0
fi

# Several docker clients may be installed (/usr/local/bin/docker may shadow /usr/bin/docker); any
# of them works against dockerd 20.10 because the client negotiates the API version down.
if ! docker info >/dev/null 2>&1; then
  if can_fix; then
    say "dockerd does not answer: starting it (log: /var/log/dockerd.log)"
    dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 1
    done
    docker info >/dev/null 2>&1 || fail "dockerd did not come up within 60 s; see /var/log/dockerd.log"
  else
    fail "dockerd does not answer ($(docker info 2>&1 | tail -n 1)). Fix (as root): dockerd > /var/log/dockerd.log 2>&1 &   (or: systemctl start docker)"
  fi
fi

is_root || fail "the lab's image build runs debootstrap, which needs root. Fix: run the tests as root (or build the images once as root: sudo scripts/lab-images.sh)"

say "ok: $(docker version --format 'docker client {{.Client.Version}} (API {{.Client.APIVersion}}), dockerd {{.Server.Version}}'), $(vagrant --version), debootstrap $(dpkg-query -W -f '${Version}' debootstrap 2>/dev/null || echo present)"
