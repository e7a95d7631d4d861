#!/usr/bin/env bash
# Builds the lab's docker images locally (no registry pull is possible in our CI):
#   apim-lab/base:<suite>   debootstrap --variant=minbase rootfs, `docker import`ed
#   apim-lab/host:<suite>   base + vagrant user, sshd command (vagrant/images/host)
#   apim-lab/plusrepo:sid   host:sid + nginx/gnupg/apt-utils for the stand-in Plus repository
#   apim-lab/apim:bookworm  host:bookworm + a JRE (keytool) and the wso2carbon user, for the
#                           stand-in API-M nodes
# Each image carries the hash of its build recipe as label `apim-lab.recipe`; an image whose label
# matches is kept, so a second run does nothing. The debootstrap rootfs is cached as a tarball under
# vagrant/.cache/ (git-ignored).
#
# Usage: scripts/lab-images.sh [--force]
set -euo pipefail
# debootstrap and dockerd live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_DIR="$ROOT/vagrant/images"
CACHE_DIR="$ROOT/vagrant/.cache"
SUITES=(bookworm sid)
# Everything the lab hosts need, installed by debootstrap so that image builds never run apt.
INCLUDE="openssh-server,sudo,python3,curl,ca-certificates,iproute2,procps,openssl"
MIRROR="${APIM_LAB_MIRROR:-http://deb.debian.org/debian}"
FORCE=0
# dockerd 20.10 without buildx: the legacy builder.
export DOCKER_BUILDKIT=0
[ "${1:-}" = "--force" ] && FORCE=1

# Progress goes to stderr: stdout of build_base carries only the recipe hash.
say() { printf 'lab-images: %s\n' "$*" >&2; }
die() {
  printf 'lab-images: ERROR: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 ||
  die "docker is not installed. Fix: apt-get install docker.io (or run scripts/ensure-lab-prereqs.sh as root)"
docker info >/dev/null 2>&1 ||
  die "docker is installed but dockerd does not answer. Fix: start it (as root: dockerd > /var/log/dockerd.log 2>&1 &), or run scripts/ensure-lab-prereqs.sh"

hash_of() { sha256sum | cut -c1-16; }

# Label value of an existing image, empty when the image is absent.
image_recipe() {
  docker image inspect --format '{{ index .Config.Labels "apim-lab.recipe" }}' "$1" 2>/dev/null || true
}

up_to_date() {
  [ "$FORCE" = 0 ] && [ "$(image_recipe "$1")" = "$2" ]
}

build_base() {
  local suite="$1" recipe tarball rootfs started
  recipe="$(printf 'debootstrap minbase %s %s %s' "$suite" "$INCLUDE" "$MIRROR" | hash_of)"
  if up_to_date "apim-lab/base:$suite" "$recipe"; then
    say "apim-lab/base:$suite is up to date (recipe $recipe)"
    echo "$recipe"
    return
  fi
  tarball="$CACHE_DIR/rootfs-$suite-$recipe.tar"
  if [ "$FORCE" = 1 ] || [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 ||
      die "debootstrap is not installed. Fix: apt-get install debootstrap (or run scripts/ensure-lab-prereqs.sh as root)"
    [ "$(id -u)" = 0 ] || die "debootstrap needs root. Fix: run this script as root (sudo $0)"
    rootfs="$CACHE_DIR/rootfs-$suite"
    rm -rf "$rootfs"
    mkdir -p "$CACHE_DIR"
    say "debootstrap $suite into $rootfs (mirror $MIRROR, this takes about a minute)"
    started=$SECONDS
    debootstrap --variant=minbase --include="$INCLUDE" "$suite" "$rootfs" "$MIRROR" >"$CACHE_DIR/debootstrap-$suite.log" 2>&1 ||
      die "debootstrap $suite failed; see $CACHE_DIR/debootstrap-$suite.log"
    # Downloaded .debs are not needed in the image.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
    say "debootstrap $suite took $((SECONDS - started)) s; cached $tarball"
  else
    say "using cached rootfs $tarball"
  fi
  say "docker import $tarball as apim-lab/base:$suite"
  docker import --change "LABEL apim-lab.recipe=$recipe" "$tarball" "apim-lab/base:$suite" >/dev/null
  echo "$recipe"
}

build_dockerfile() {
  local image="$1" dir="$2" recipe="$3"
  shift 3
  if up_to_date "$image" "$recipe"; then
    say "$image is up to date (recipe $recipe)"
    return
  fi
  say "docker build $image from $dir"
  local log="$CACHE_DIR/build-${image//[:\/]/-}.log"
  # The build log is shown only on failure (the legacy builder's deprecation notice is noise).
  if ! docker build --label "apim-lab.recipe=$recipe" --tag "$image" "$@" "$dir" >"$log" 2>&1; then
    cat "$log" >&2
    die "docker build of $image failed (log: $log)"
  fi
}

files_hash() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | hash_of; }

main() {
  local started=$SECONDS suite base_recipe host_recipe pid
  declare -A host_recipes pids
  mkdir -p "$CACHE_DIR"
  # The suites are bootstrapped in parallel: debootstrap mostly waits for the mirror.
  for suite in "${SUITES[@]}"; do
    build_base "$suite" >"$CACHE_DIR/recipe-$suite" &
    pids[$suite]=$!
  done
  for suite in "${SUITES[@]}"; do
    pid="${pids[$suite]}"
    wait "$pid" || die "building apim-lab/base:$suite failed (see the messages above)"
  done
  for suite in "${SUITES[@]}"; do
    base_recipe="$(cat "$CACHE_DIR/recipe-$suite")"
    host_recipe="$(printf '%s %s' "$base_recipe" "$(files_hash "$IMAGES_DIR/host")" | hash_of)"
    build_dockerfile "apim-lab/host:$suite" "$IMAGES_DIR/host" "$host_recipe" --build-arg "SUITE=$suite"
    host_recipes[$suite]="$host_recipe"
  done
  build_dockerfile "apim-lab/plusrepo:sid" "$IMAGES_DIR/plusrepo" \
    "$(printf '%s %s' "${host_recipes[sid]}" "$(files_hash "$IMAGES_DIR/plusrepo")" | hash_of)"
  build_dockerfile "apim-lab/apim:bookworm" "$IMAGES_DIR/apim" \
    "$(printf '%s %s' "${host_recipes[bookworm]}" "$(files_hash "$IMAGES_DIR/apim")" | hash_of)"
  say "all lab images ready in $((SECONDS - started)) s"
}

main
