# shellcheck shell=bash
# Shared functions for the provisioner scripts in provisioners/*.sh.
#
# Packer uploads provisioners/lib/ to /tmp/build-images/lib/ before the scripts run, and
# each script sources this file. It is sourced, never executed: it only defines functions
# and a few constants, and installs an EXIT trap that runs the cleanups registered with
# add_cleanup.
#
# Works on Debian 12 and Ubuntu 22.04/24.04, including debootstrap "minbase" images that have
# no curl, ca-certificates or unzip: callers install what they use with apt_install (what the
# image needs at run time) or build_deps (what only the build needs: removed again on exit).

if [[ -n ${BUILD_IMAGES_COMMON_LOADED:-} ]]; then
  return 0
fi
BUILD_IMAGES_COMMON_LOADED=1

# The directory this file is in: lib/ beside the scripts, or /tmp/build-images/lib under Packer.
BI_LIB=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=versions.sh
. "$BI_LIB/versions.sh"

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

# release_files PRODUCT ARCH: the HOST/PATH of each file of one vendor release, one a line:
# the file to install, the vendor's checksum file, and for HashiCorp the checksum file's
# signature. The versions are the *_VERSION variables (lib/versions.sh). The provisioners and
# scripts/mirror both use this list, so a mirror holds exactly what the builds fetch.
release_files() {
  local product=$1 arch=$2 v r
  case $product in
    consul)
      v=$CONSUL_VERSION r=releases.hashicorp.com/consul/$CONSUL_VERSION
      printf '%s\n' "$r/consul_${v}_linux_${arch}.zip" "$r/consul_${v}_SHA256SUMS" "$r/consul_${v}_SHA256SUMS.sig"
      ;;
    cortex)
      r=github.com/cortexproject/cortex/releases/download/v$CORTEX_VERSION
      printf '%s\n' "$r/cortex-linux-$arch" "$r/cortex-linux-$arch-sha-256"
      ;;
    grafana)
      r=dl.grafana.com/oss/release/grafana-$GRAFANA_VERSION.linux-$arch.tar.gz
      printf '%s\n' "$r" "$r.sha256"
      ;;
    prometheus)
      v=$PROMETHEUS_VERSION r=github.com/prometheus/prometheus/releases/download/v$PROMETHEUS_VERSION
      printf '%s\n' "$r/prometheus-$v.linux-$arch.tar.gz" "$r/sha256sums.txt"
      ;;
    node_exporter)
      v=$NODE_EXPORTER_VERSION r=github.com/prometheus/node_exporter/releases/download/v$NODE_EXPORTER_VERSION
      printf '%s\n' "$r/node_exporter-$v.linux-$arch.tar.gz" "$r/sha256sums.txt"
      ;;
    nginxlog-exporter)
      v=$NGINXLOG_EXPORTER_VERSION r=github.com/martin-helmich/prometheus-nginxlog-exporter/releases/download/v$NGINXLOG_EXPORTER_VERSION
      printf '%s\n' "$r/prometheus-nginxlog-exporter_${v}_linux_${arch}.tar.gz" "$r/checksums.txt"
      ;;
    *) die "unknown product '$product'" ;;
  esac
}

# The products release_files knows, in the order scripts/mirror fetches them.
# shellcheck disable=SC2034 # used by scripts/mirror
readonly RELEASE_PRODUCTS=(node_exporter consul cortex prometheus grafana nginxlog-exporter)

# fetch_release PRODUCT ARCH DIR [tree]: download PRODUCT's release files through MIRROR into
# DIR (by file name; with "tree", at DIR/HOST/PATH as a mirror keeps them), verify them, and
# set RELEASE_FILE to the verified file. Nothing unverified is left in DIR.
fetch_release() {
  local product=$1 arch=$2 dir=$3 layout=${4:-flat} files=() path dest=() i name expected actual
  mapfile -t files < <(release_files "$product" "$arch")
  ((${#files[@]} >= 2)) || die "no release files for $product"
  for i in "${!files[@]}"; do
    path=${files[i]}
    if [[ $layout == tree ]]; then
      dest[i]=$dir/$path
      mkdir -p -- "$(dirname -- "${dest[i]}")"
    else
      dest[i]=$dir/${path##*/}
    fi
    add_cleanup rm -f -- "${dest[i]}.unverified"
    log "downloading $(mirror_url "$path")"
    download "$(mirror_url "$path")" "${dest[i]}.unverified"
  done
  if ((${#files[@]} > 2)); then
    verify_hashicorp_signature "${dest[1]}.unverified" "${dest[2]}.unverified" "$(mirror_url "${files[2]}")"
  fi
  name=${files[0]##*/}
  expected=$(expected_sha256 "${dest[1]}.unverified" "$name") ||
    die "no SHA-256 for $name in $(mirror_url "${files[1]}")"
  actual=$(sha256sum -- "${dest[0]}.unverified" | cut -d' ' -f1)
  if [[ $actual != "$expected" ]]; then
    die "checksum mismatch for $name: expected $expected (from $(mirror_url "${files[1]}")), actual $actual. Refusing to install it."
  fi
  log "sha256 ok: $name ($actual)"
  for i in "${!files[@]}"; do
    mv -f -- "${dest[i]}.unverified" "${dest[i]}"
  done
  # shellcheck disable=SC2034 # read by the calling script
  RELEASE_FILE=${dest[0]}
}

# dearmor FILE: the binary OpenPGP packets of every ASCII-armored public key block in FILE
# (what `gpg --dearmor` does, without needing gpg: gpgv, which apt itself depends on, is enough).
dearmor() {
  awk '
    /^-----BEGIN PGP PUBLIC KEY BLOCK-----/ { inblock = 1; body = 0; next }
    /^-----END PGP PUBLIC KEY BLOCK-----/ { inblock = 0; next }
    inblock && !body && /^[[:space:]]*$/ { body = 1; next }
    inblock && body && !/^=/ { print }
  ' "$1" | base64 -d
}

# verify_hashicorp_signature SUMS SIG SOURCE: die unless SIG is a valid signature of SUMS by
# HashiCorp's release key (lib/hashicorp-security.asc, or HASHICORP_PGP_KEY_FILE).
verify_hashicorp_signature() {
  local sums=$1 sig=$2 source=$3 key=${HASHICORP_PGP_KEY_FILE:-$BI_LIB/hashicorp-security.asc} home out signer
  command -v gpgv >/dev/null || apt_install gpgv
  [[ -r $key ]] || die "cannot read the signing key $key"
  home=$(mktemp -d)
  add_cleanup rm -rf -- "$home"
  dearmor "$key" >"$home/keyring.gpg" || die "$key holds no usable ASCII-armored public key"
  if ! out=$(GNUPGHOME=$home gpgv --status-fd 1 --keyring "$home/keyring.gpg" -- "$sig" "$sums" 2>&1); then
    sums=${sums##*/}
    die "signature check failed for ${sums%.unverified}: $source is not a valid signature by the key in ${key##*/}. Refusing to use it. gpgv said: $(grep -v '^\[GNUPG:\]' <<<"$out" | tr '\n' ' ')"
  fi
  signer=$(awk '$2 == "VALIDSIG" { print $NF }' <<<"$out")
  sums=${sums##*/}
  log "signature ok: ${sums%.unverified} signed by ${signer:-?} (${key##*/})"
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
  # consul.sh owns the directory (root:consul 0750); create it only when it runs first.
  [[ -d $CONSUL_CONFIG_DIR ]] || ensure_dir "$CONSUL_CONFIG_DIR" root:root 0755
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

# --- services: image-start in Docker, systemd units on machines (AMIs) --------------------

# service_manager: how services start in the image being built. "docker" for Packer's docker
# builder (no systemd in a container: /usr/local/bin/image-start, under tini, starts what
# /etc/image-start.d/ lists), "systemd" for every other builder (amazon-ebs: units enabled at
# boot). Without PACKER_BUILDER_TYPE (a script run by hand) a running systemd decides.
service_manager() {
  case ${PACKER_BUILDER_TYPE:-} in
    docker) echo docker ;;
    "") if [[ -d /run/systemd/system ]]; then echo systemd; else echo docker; fi ;;
    *) echo systemd ;;
  esac
}

readonly IMAGE_START_DIR=/etc/image-start.d
readonly SYSTEMD_UNIT_DIR=/etc/systemd/system

# install_service NAME [option...] -- COMMAND [ARG...]: make NAME start with the image.
#   --user USER            run as USER (and its group); default root
#   --description TEXT     what it is
#   --role main|sidecar    Docker: a container lives as long as its main services; a sidecar
#                          (node exporter, consul agent, log exporter) that exits is restarted
#                          with back-off. Default main.
#   --order NN             Docker: start order (file name prefix); default 50
#   --stop-signal SIG      signal that stops it gracefully; default TERM
#   --reload-signal SIG    systemd: ExecReload sends SIG (e.g. HUP)
#   --type TYPE            systemd: Type= (simple, notify); default simple
#   --rw PATH              systemd: a path it may write (ProtectSystem=strict); repeatable
#   --after UNIT           systemd: start after (and want) UNIT; repeatable
#   --workdir DIR          working directory
# COMMAND and ARGs are words (no shell); each arrives byte for byte in both forms.
install_service() {
  local name=$1 user=root description="" role=main order=50 stop_signal=TERM reload_signal=""
  local type=simple workdir="" rw=() after=() cmd=()
  shift
  while (($# > 0)); do
    case $1 in
      --user) user=$2 ;;
      --description) description=$2 ;;
      --role) role=$2 ;;
      --order) order=$2 ;;
      --stop-signal) stop_signal=$2 ;;
      --reload-signal) reload_signal=$2 ;;
      --type) type=$2 ;;
      --rw) rw+=("$2") ;;
      --after) after+=("$2") ;;
      --workdir) workdir=$2 ;;
      --) shift; cmd=("$@"); break ;;
      *) die "install_service $name: unknown option $1" ;;
    esac
    shift 2
  done
  [[ $name =~ ^[a-z][a-z0-9-]*$ ]] || die "install_service: bad service name '$name'"
  [[ $role == main || $role == sidecar ]] || die "install_service $name: --role is main or sidecar"
  [[ $order =~ ^[0-9]{2}$ ]] || die "install_service $name: --order is two digits"
  ((${#cmd[@]} > 0)) || die "install_service $name: no command"
  [[ -x ${cmd[0]} ]] || die "install_service $name: ${cmd[0]} is not an executable file"
  : "${description:=$name}"
  if [[ $(service_manager) == docker ]]; then
    _bi_image_start_entry "$name" "$user" "$description" "$role" "$order" "$stop_signal" "$workdir" "${cmd[@]}"
  else
    _bi_systemd_unit "$name" "$user" "$description" "$stop_signal" "$reload_signal" "$type" "$workdir" \
      "$(printf '%s\n' "${rw[@]}")" "$(printf '%s\n' "${after[@]}")" "${cmd[@]}"
  fi
}

# The Docker runtime: tini (Debian/Ubuntu package; PID 1, reaps and forwards signals) and
# image-start (lib/image-start), installed once by the first service of the image tree.
_bi_install_image_start() {
  apt_install tini
  if ! cmp -s -- "$BI_LIB/image-start" /usr/local/bin/image-start; then
    install -D -m 0755 -o root -g root -- "$BI_LIB/image-start" /usr/local/bin/image-start
    log "installed /usr/local/bin/image-start"
  fi
  ensure_dir "$IMAGE_START_DIR" root:root 0755
}

_bi_image_start_entry() {
  local name=$1 user=$2 description=$3 role=$4 order=$5 stop_signal=$6 workdir=$7 old
  shift 7
  _bi_install_image_start
  # One entry per service: drop any earlier one with another order (consul-server.sh
  # redefines the agent that consul.sh defined).
  for old in "$IMAGE_START_DIR"/[0-9][0-9]-"$name"; do
    [[ -e $old && $old != "$IMAGE_START_DIR/$order-$name" ]] && rm -f -- "$old"
  done
  {
    printf '#!/bin/bash\n'
    printf '# Managed by build-images (%s): %s, started by /usr/local/bin/image-start.\n' "$BI_NAME" "$description"
    printf '# image-start-role: %s\n' "$role"
    printf '# image-start-stop-signal: %s\n' "$stop_signal"
    printf 'set -e\n'
    if [[ -n $workdir ]]; then
      printf 'cd -- %q\n' "$workdir"
    fi
    if [[ $user == root ]]; then
      printf 'exec'
    else
      # setpriv (util-linux) execs in place: the service is image-start's child, so signals
      # reach it directly. Switching away from root drops every capability.
      printf 'exec setpriv --reuid=%q --regid=%q --init-groups --no-new-privs --' "$user" "$user"
    fi
    printf ' %q' "$@"
    printf '\n'
  } | write_file "$IMAGE_START_DIR/$order-$name" 0755
}

# _bi_systemd_word WORD: WORD as one word of a systemd command line.
_bi_systemd_word() {
  local w=$1
  w=${w//%/%%}
  w=${w//\$/\$\$}
  if [[ $w =~ ^[A-Za-z0-9_./:=,+@-]+$ ]]; then
    printf '%s' "$w"
  else
    w=${w//\\/\\\\}
    w=${w//\"/\\\"}
    printf '"%s"' "$w"
  fi
}

_bi_systemd_unit() {
  local name=$1 user=$2 description=$3 stop_signal=$4 reload_signal=$5 type=$6 workdir=$7 rw_list=$8 after_list=$9
  shift 9
  local exec_start="" word unit_after="network-online.target" unit_wants="network-online.target" path
  # ExecReload uses /bin/kill (procps; always there on Ubuntu's machine images).
  [[ -z $reload_signal ]] || apt_install procps
  for word in "$@"; do
    exec_start+="${exec_start:+ }$(_bi_systemd_word "$word")"
  done
  while IFS= read -r word; do
    [[ -n $word ]] || continue
    unit_after+=" $word"
    unit_wants+=" $word"
  done <<<"$after_list"
  {
    printf '# Managed by build-images (%s).\n' "$BI_NAME"
    printf '[Unit]\nDescription=%s\n' "$description"
    printf 'Wants=%s\nAfter=%s\n\n' "$unit_wants" "$unit_after"
    printf '[Service]\nType=%s\n' "$type"
    if [[ $user != root ]]; then
      printf 'User=%s\nGroup=%s\n' "$user" "$user"
    fi
    [[ -z $workdir ]] || printf 'WorkingDirectory=%s\n' "$workdir"
    printf 'ExecStart=%s\n' "$exec_start"
    # shellcheck disable=SC2016 # $MAINPID is systemd's, not the shell's
    [[ -z $reload_signal ]] || printf 'ExecReload=/bin/kill -s %s $MAINPID\n' "$reload_signal"
    printf 'KillSignal=SIG%s\n' "$stop_signal"
    printf 'Restart=on-failure\nRestartSec=5\nTimeoutStopSec=30\nLimitNOFILE=65536\n'
    printf '# Hardening: no privilege gain, read-only system, private /tmp and devices.\n'
    printf 'NoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=read-only\nPrivateTmp=yes\nPrivateDevices=yes\n'
    printf 'ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectControlGroups=yes\n'
    printf 'ProtectClock=yes\nProtectHostname=yes\nRestrictSUIDSGID=yes\nRestrictRealtime=yes\nRestrictNamespaces=yes\n'
    printf 'LockPersonality=yes\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK\n'
    if [[ $user != root ]]; then
      printf 'CapabilityBoundingSet=\n'
    fi
    while IFS= read -r path; do
      [[ -z $path ]] || printf 'ReadWritePaths=%s\n' "$path"
    done <<<"$rw_list"
    printf '\n[Install]\nWantedBy=multi-user.target\n'
  } | write_file "$SYSTEMD_UNIT_DIR/$name.service" 0644
  systemd_enable "$name.service"
}

# systemd_enable UNIT: enable UNIT at boot (it is not started: nothing runs while an image is
# baked). Without systemctl, the symlink `systemctl enable` would make for WantedBy=.
systemd_enable() {
  if [[ -d /run/systemd/system ]]; then
    systemctl daemon-reload
  fi
  if command -v systemctl >/dev/null; then
    systemctl enable "$1" 2>&1 | sed 's/^/    /' >&2
  else
    mkdir -p "$SYSTEMD_UNIT_DIR/multi-user.target.wants"
    ln -sfn "$SYSTEMD_UNIT_DIR/$1" "$SYSTEMD_UNIT_DIR/multi-user.target.wants/$1"
    log "enabled $1 (symlink; no systemctl here)"
  fi
}

# consul_agent_service main|sidecar: how the Consul agent starts (consul.sh defines it as a
# sidecar of every image; consul-server.sh makes it the consul image's main service).
consul_agent_service() {
  local after=()
  if [[ $(service_manager) == systemd ]]; then
    after=(--after consul-instance-config.service)
  fi
  install_service consul --user consul --role "$1" --order 20 --type notify --reload-signal HUP \
    --description "Consul agent" --rw /var/lib/consul --workdir /var/lib/consul "${after[@]}" \
    -- /usr/local/bin/consul agent -config-dir="$CONSUL_CONFIG_DIR"
}
