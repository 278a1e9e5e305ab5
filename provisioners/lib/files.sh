# shellcheck shell=bash
# Files, users and binaries: install_binary, ensure_system_user, ensure_dir, write_file, and
# hcl_list for values written into HCL. Sourced by common.sh after output.sh.

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
