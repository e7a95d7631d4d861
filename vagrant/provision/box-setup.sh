#!/bin/sh
# VirtualBox/libvirt boxes only: make a public Debian box match the lab's docker images
# (vagrant/images/*/Dockerfile): python3 and openssl for the API-M stand-ins, the `apimsudo`
# user whose sudo asks for a password; for the apim role a JRE (keytool) and the wso2carbon user;
# for the plusrepo role nginx, gnupg and apt-utils.
# Load balancers get no nginx: the tool under test installs it.
# Usage: box-setup.sh ROLE   (run as root by Vagrant's shell provisioner)
set -eu
role="$1"
packages="openssh-server sudo python3 curl ca-certificates iproute2 procps openssl"
[ "$role" = plusrepo ] && packages="$packages nginx gnupg apt-utils"
[ "$role" = apim ] && packages="$packages openjdk-17-jre-headless"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $packages
if ! id apimsudo >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash apimsudo
  echo 'apimsudo:apimsudo-become' | chpasswd
  echo 'apimsudo ALL=(ALL) ALL' >/etc/sudoers.d/apimsudo
  chmod 0440 /etc/sudoers.d/apimsudo
  install -d -m 0700 -o apimsudo -g apimsudo /home/apimsudo/.ssh
fi
if [ "$role" = apim ] && ! id wso2carbon >/dev/null 2>&1; then
  useradd --system --create-home --home-dir /home/wso2carbon --shell /bin/sh wso2carbon
fi
