#!/bin/sh
# Container command: give this container its own SSH host keys, then run sshd in the foreground
# (there is no systemd in the lab containers).
set -e
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e
