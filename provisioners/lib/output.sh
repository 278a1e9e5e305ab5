# shellcheck shell=bash
# Messages, cleanup on exit and argument checks. Sourced by common.sh (never on its own):
# every other file of lib/ uses log, warn, die and add_cleanup.

# --- messages ---------------------------------------------------------------------------

# Name shown in messages; each script sets it with provisioner NAME (Packer renames uploaded
# scripts).
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
