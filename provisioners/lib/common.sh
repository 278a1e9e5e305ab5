# shellcheck shell=bash
# Shared functions for the provisioner scripts in provisioners/*.sh.
#
# Packer uploads provisioners/lib/ to /tmp/build-images/lib/ before the scripts run, and
# each script sources this file. It is sourced, never executed: it only defines functions
# and a few constants, and installs an EXIT trap that runs the cleanups registered with
# add_cleanup.
#
# Works on Debian 12 and Ubuntu 22.04, including debootstrap "minbase" images that have
# no curl, ca-certificates or unzip: callers install what they use with apt_install.

if [[ -n ${BUILD_IMAGES_COMMON_LOADED:-} ]]; then
  return 0
fi
BUILD_IMAGES_COMMON_LOADED=1

# Every vendor download is ${MIRROR}/<host>/<path>: the default "https:/" gives the vendor's
# own https://<host>/<path>; a mirror keeps the same host/path layout under its own root
# (MIRROR=file:///mirror reads /mirror/releases.hashicorp.com/...).
: "${MIRROR:=https:/}"

# Consul agent configuration directory. Scripts that install a service drop a service
# definition here (consul_service), so Prometheus finds it through consul_sd.
readonly CONSUL_CONFIG_DIR=/etc/consul.d

# The access-log format the nginx gateway writes and prometheus-nginxlog-exporter parses.
# Both scripts take it from here so the two can never disagree.
# shellcheck disable=SC2016,SC2034 # nginx variables, not shell expansions; used by the scripts
readonly NGINX_GATEWAY_LOG_FORMAT='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time "$upstream_response_time"'

# --- messages ---------------------------------------------------------------------------

# Name shown in messages; each script sets BI_NAME (Packer renames uploaded scripts).
: "${BI_NAME:=provision}"

log() { printf '==> %s: %s\n' "$BI_NAME" "$*" >&2; }
warn() { printf '==> %s: WARNING: %s\n' "$BI_NAME" "$*" >&2; }
die() {
  printf '==> %s: ERROR: %s\n' "$BI_NAME" "$*" >&2
  exit 1
}

# --- cleanup on exit --------------------------------------------------------------------

_bi_cleanups=()

# add_cleanup COMMAND...: run COMMAND when the script exits, however it exits (last added
# runs first).
add_cleanup() { _bi_cleanups+=("$(printf '%q ' "$@")"); }

_bi_run_cleanups() {
  local status=$? i
  for ((i = ${#_bi_cleanups[@]} - 1; i >= 0; i--)); do
    eval "${_bi_cleanups[i]}" || true
  done
  return "$status"
}
trap _bi_run_cleanups EXIT

# --- checks -----------------------------------------------------------------------------

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (Packer's shell provisioner runs scripts as root)"
}

# require_uint NAME VALUE [MIN]: die unless VALUE is a whole number >= MIN (default 0).
require_uint() {
  local name=$1 value=$2 min=${3:-0}
  if [[ ! $value =~ ^[0-9]+$ ]] || ((10#$value < min)); then
    die "$name must be a whole number >= $min, got '$value'"
  fi
}

# require_value NAME VALUE: die if VALUE is empty or holds characters that would break the
# config files it is written into (quotes, backslashes, semicolons, braces, newlines).
require_value() {
  local name=$1 value=$2
  [[ -n $value ]] || die "$name must not be empty"
  if [[ $value == *[\"\\\;\{\}\']* || $value == *$'\n'* ]]; then
    die "$name holds a character not allowed here (quote, backslash, semicolon, brace or newline): '$value'"
  fi
}

# deb_arch: the machine architecture in the vendors' spelling (amd64 or arm64).
deb_arch() {
  local arch
  arch=$(dpkg --print-architecture)
  case $arch in
    amd64 | arm64) printf '%s\n' "$arch" ;;
    *) die "unsupported architecture '$arch' (vendor archives are fetched for amd64 and arm64 only)" ;;
  esac
}

# --- apt --------------------------------------------------------------------------------

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
  rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
}

_bi_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# apt_install PACKAGE...: install what is missing, without recommends, then drop the apt
# lists and caches. Already-installed packages are left as they are.
apt_install() {
  local missing=() pkg attempt
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
}

# --- downloads --------------------------------------------------------------------------

# mirror_url HOST/PATH: the URL to fetch HOST/PATH from, honouring MIRROR.
mirror_url() {
  local mirror=$MIRROR
  # Drop one trailing slash unless it belongs to the scheme ("https:/" stays as it is).
  if [[ $mirror == */ && $mirror != *:/ ]]; then
    mirror=${mirror%/}
  fi
  printf '%s/%s\n' "$mirror" "${1#/}"
}

# download URL DEST: fetch URL to DEST with curl, retrying transient failures with
# exponential back-off (DOWNLOAD_ATTEMPTS, default 5). A 4xx answer or an unreadable
# file:// URL fails at once: retrying cannot help.
download() {
  local url=$1 dest=$2 max=${DOWNLOAD_ATTEMPTS:-5} attempt=1 delay=2 code rc
  command -v curl >/dev/null || die "curl is not installed (call apt_install curl ca-certificates first)"
  while :; do
    rm -f -- "$dest.part"
    rc=0
    code=$(curl --silent --show-error --location --fail --connect-timeout 20 --max-time 1800 \
      --output "$dest.part" --write-out '%{http_code}' -- "$url") || rc=$?
    if ((rc == 0)); then
      mv -f -- "$dest.part" "$dest"
      return 0
    fi
    rm -f -- "$dest.part"
    case $url in
      file://*) die "cannot read $url (curl exit $rc): is the mirror mounted and complete?" ;;
    esac
    if [[ $code == 4?? && $code != 408 && $code != 429 ]]; then
      die "download failed: $url answered HTTP $code"
    fi
    ((attempt < max)) || die "download failed after $attempt attempts: $url (curl exit $rc, HTTP $code)"
    warn "download of $url failed (curl exit $rc, HTTP $code); attempt $((attempt + 1))/$max in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

# expected_sha256 SUMS_FILE NAME: print the checksum SUMS_FILE gives for NAME. Understands
# the two formats vendors publish: sha256sum lines ("<hash>  <name>", as in HashiCorp's
# SHA256SUMS or goreleaser's checksums.txt) and a file holding nothing but the hash (Cortex's
# *-sha-256, Grafana's *.sha256).
expected_sha256() {
  local sums=$1 name=$2 hash content
  hash=$(awk -v want="$name" '
    NF >= 2 {
      file = $2; sub(/^\*/, "", file); n = split(file, part, "/")
      if (file == want || part[n] == want) { print $1; exit }
    }' "$sums")
  if [[ -z $hash ]]; then
    content=$(tr -d '[:space:]' <"$sums")
    if [[ $(wc -w <"$sums") -eq 1 && $content =~ ^[0-9a-fA-F]{64}$ ]]; then
      hash=$content
    fi
  fi
  [[ $hash =~ ^[0-9a-fA-F]{64}$ ]] || return 1
  printf '%s\n' "${hash,,}"
}

# verify_sha256 FILE EXPECTED SOURCE: die unless FILE's SHA-256 is EXPECTED.
verify_sha256() {
  local file=$1 expected=${2,,} source=$3 actual
  actual=$(sha256sum -- "$file" | cut -d' ' -f1)
  if [[ $actual != "$expected" ]]; then
    die "checksum mismatch for ${file##*/}: expected $expected (from $source), actual $actual. Refusing to install it."
  fi
  log "sha256 ok: ${file##*/} ($actual)"
}

# fetch_verified HOST/PATH SUMS_HOST/PATH DEST: download a vendor file and the vendor's
# published checksum file (both through MIRROR), and keep the file only if it matches.
fetch_verified() {
  local path=$1 sums_path=$2 dest=$3 name url sums_url expected
  name=${path##*/}
  url=$(mirror_url "$path")
  sums_url=$(mirror_url "$sums_path")
  log "downloading $url"
  download "$url" "$dest"
  download "$sums_url" "$dest.sums"
  expected=$(expected_sha256 "$dest.sums" "$name") ||
    die "no SHA-256 for $name in $sums_url"
  verify_sha256 "$dest" "$expected" "$sums_url"
  rm -f -- "$dest.sums"
}

# --- files, users, binaries -------------------------------------------------------------

# install_binary SRC NAME: install SRC as /usr/local/bin/NAME (root-owned, 0755).
install_binary() {
  install -D -m 0755 -o root -g root -- "$1" "/usr/local/bin/$2"
  log "installed /usr/local/bin/$2"
}

# ensure_system_user NAME HOME [GROUP...]: a system user and group NAME with no login
# shell, also member of each GROUP that exists.
ensure_system_user() {
  local name=$1 home=$2 group
  shift 2
  if ! getent passwd "$name" >/dev/null; then
    getent group "$name" >/dev/null || groupadd --system "$name"
    useradd --system --gid "$name" --home-dir "$home" --no-create-home \
      --shell /usr/sbin/nologin --comment "$name service" "$name"
    log "created system user $name"
  fi
  for group in "$@"; do
    if getent group "$group" >/dev/null; then
      usermod --append --groups "$group" "$name"
    fi
  done
}

# ensure_dir PATH OWNER:GROUP MODE
ensure_dir() {
  install -d -m "$3" -o "${2%%:*}" -g "${2##*:}" -- "$1"
}

# write_file PATH [MODE] [OWNER:GROUP] < CONTENT: replace PATH with stdin.
write_file() {
  local path=$1 mode=${2:-0644} owner=${3:-root:root} tmp
  tmp=$(mktemp)
  cat >"$tmp"
  install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" -- "$tmp" "$path"
  rm -f -- "$tmp"
  log "wrote $path"
}

# hcl_list "a, b,c": an HCL list of strings ["a", "b", "c"] from a comma-separated value.
hcl_list() {
  local items=() item out=""
  IFS=, read -r -a items <<<"$1"
  for item in "${items[@]}"; do
    item=${item#"${item%%[![:space:]]*}"}
    item=${item%"${item##*[![:space:]]}"}
    [[ -n $item ]] || continue
    item=${item//\\/\\\\}
    item=${item//\"/\\\"}
    out+="${out:+, }\"$item\""
  done
  printf '[%s]\n' "$out"
}

# consul_service NAME PORT [METRICS_PATH] [HEALTH_PATH]: register a service with the local
# Consul agent by dropping a definition into CONSUL_CONFIG_DIR. With METRICS_PATH the service
# is tagged "prometheus" and Prometheus (consul_sd) scrapes PORT at that path. The health
# check is an HTTP GET of HEALTH_PATH (or METRICS_PATH), else a TCP connect to PORT.
consul_service() {
  local name=$1 port=$2 metrics_path=${3:-} health_path=${4:-${3:-}} tags='[]' meta="" check
  if [[ -n $metrics_path ]]; then
    tags='["prometheus"]'
    meta=$(printf '\n  meta = {\n    metrics_path = "%s"\n  }' "$metrics_path")
  fi
  if [[ -n $health_path ]]; then
    check="http     = \"http://localhost:${port}${health_path}\""
  else
    check="tcp      = \"localhost:${port}\""
  fi
  ensure_dir "$CONSUL_CONFIG_DIR" root:root 0755
  write_file "$CONSUL_CONFIG_DIR/service-$name.hcl" 0644 <<EOF
# Managed by build-images ($BI_NAME): registers $name with the local Consul agent.
service {
  name = "$name"
  port = $port
  tags = $tags$meta
  check {
    id       = "$name"
    $check
    interval = "15s"
    timeout  = "3s"
  }
}
EOF
}

# check_version EXPECTED COMMAND...: run COMMAND (a --version style call), show its
# output, fail if it fails, and warn if EXPECTED is not in the output.
check_version() {
  local expected=$1 out
  shift
  out=$("$@" 2>&1) || die "'$*' failed: $out"
  log "$* -> $(head -n1 <<<"$out")"
  if [[ -n $expected && $out != *"$expected"* ]]; then
    warn "'$*' does not mention $expected"
  fi
}
