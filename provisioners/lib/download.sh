# shellcheck shell=bash
# Verified downloads: fetch through MIRROR with retries, check the vendor's SHA-256 (and
# HashiCorp's signature of it), and only then hand the file over. What to fetch for each
# product is in releases.sh. Sourced by common.sh after output.sh and apt.sh.

# Every vendor download is ${MIRROR}/<host>/<path>: the default "https:/" gives the vendor's
# own https://<host>/<path>; a mirror keeps the same host/path layout under its own root
# (MIRROR=file:///mirror reads /mirror/releases.hashicorp.com/...).
: "${MIRROR:=https:/}"

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
