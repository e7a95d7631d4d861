#!/usr/bin/env bash
# Makes sure ansible-core (the oracle of the inventory conformance suite) is installed: Debian's
# package, installed without its recommendations when missing and we are root on Debian/Ubuntu.
# Otherwise prints exactly what to install and exits non-zero: no test is skipped for want of it.
#
# Usage: scripts/ensure-ansible.sh [--check]   (--check: report only, change nothing)
set -euo pipefail

if command -v ansible-inventory >/dev/null 2>&1 && command -v ansible-vault >/dev/null 2>&1; then
  printf 'ansible-prereqs: ok: %s\n' "$(ansible-inventory --version | head -n 1)"
  exit 0
fi
if [ "${1:-}" != "--check" ] && [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  printf 'ansible-prereqs: installing ansible-core\n'
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible-core
  exit 0
fi
printf 'ansible-prereqs: ERROR: ansible-inventory and ansible-vault are missing. Fix (as root on Debian/Ubuntu): apt-get update && apt-get install -y --no-install-recommends ansible-core\n' >&2
exit 1
