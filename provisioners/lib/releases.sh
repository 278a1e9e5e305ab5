# shellcheck shell=bash
# The vendor releases the provisioners install: which files make up each one (release_files)
# and the architecture they are fetched for (deb_arch). Versions come from versions.sh.
# Sourced by common.sh.

# deb_arch: the machine architecture in the vendors' spelling (amd64 or arm64).
deb_arch() {
  local arch
  arch=$(dpkg --print-architecture)
  case $arch in
    amd64 | arm64) printf '%s\n' "$arch" ;;
    *) die "unsupported architecture '$arch' (vendor archives are fetched for amd64 and arm64 only)" ;;
  esac
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
