# shellcheck shell=bash
# apt: install what is missing (apt_install), or only for the build (build_deps, purged again
# on exit), with no service started meanwhile. Sourced by common.sh after output.sh.

# While packages install, keep their maintainer scripts from starting services: build
# containers share the host's network (--network=host), so a started nginx or prometheus
# would bind the host's ports, and nothing should run while an image is being baked.
# An existing policy-rc.d (some base images ship one) is left alone.
_bi_block_service_starts() {
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# build-images: no service starts while provisioning\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    add_cleanup rm -f /usr/sbin/policy-rc.d
  fi
}

apt_cleanup() {
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/log/apt/eipp.log.xz
}

_bi_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# apt_install PACKAGE...: install what is missing, without recommends, then drop the apt
# lists and caches. Already-installed packages are left as they are.
_bi_newly_installed=()
apt_install() {
  local missing=() pkg attempt
  _bi_newly_installed=()
  for pkg in "$@"; do
    _bi_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "already installed: $*"
    return 0
  fi
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  _bi_block_service_starts
  for attempt in 1 2 3; do
    apt-get update -q -o Acquire::Retries=3 && break
    ((attempt < 3)) || die "apt-get update failed $attempt times"
    warn "apt-get update failed; retrying in $((attempt * 5))s"
    sleep $((attempt * 5))
  done
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
  apt_cleanup
  _bi_newly_installed=("${missing[@]}")
}

# build_deps PACKAGE...: install what the build needs but the image does not (unzip, curl on
# Docker images), and purge exactly those packages again when the script exits, with the
# dependencies they pulled in. Packages that were already there stay.
build_deps() {
  _bi_newly_installed=()
  apt_install "$@"
  if ((${#_bi_newly_installed[@]} > 0)); then
    add_cleanup _bi_purge "${_bi_newly_installed[@]}"
  fi
}

_bi_purge() {
  log "removing build-only packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --auto-remove "$@" >/dev/null
  apt_cleanup
}
