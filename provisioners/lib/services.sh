# shellcheck shell=bash
# Services: one declaration (install_service) gives an image-start entry in Docker images and a
# systemd unit on machines (AMIs). Sourced by common.sh after output.sh, apt.sh and files.sh.

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
