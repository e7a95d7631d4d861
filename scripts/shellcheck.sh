#!/usr/bin/env bash
# Runs ShellCheck on every shell file of the repository (part of `npm run lint`). The remote programs in
# src/remote/sh are POSIX sh; scripts/, bench/ and vagrant/ scripts declare their own shell.
# ShellCheck comes from Debian: scripts/ensure-lab-prereqs.sh --only shellcheck installs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v shellcheck >/dev/null 2>&1 || bash scripts/ensure-lab-prereqs.sh --only shellcheck
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.sh' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "shellcheck: no shell files found" >&2; exit 1; }
shellcheck --severity=style "${files[@]}"
echo "shellcheck: ${#files[@]} files, no findings"
