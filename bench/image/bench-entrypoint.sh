#!/bin/sh
# There is no init in the containers: start nginx (when installed) as a boot would, then run the
# lab's sshd command in the foreground.
set -e
if command -v nginx >/dev/null 2>&1; then nginx; fi
exec /usr/local/sbin/lab-entrypoint.sh
