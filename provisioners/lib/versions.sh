# shellcheck shell=bash
# Default versions of the vendor software the provisioners download. Every one is a variable:
# set it in images.yaml (`variables:`) to build another version. Sourced by lib/common.sh, by
# scripts/mirror (which fills a mirror with exactly these files) and by
# examples/offline/prepare. Only versions whose release files were seen published are listed;
# no checksum is ever written here: each download is checked against the vendor's own
# checksum file (and HashiCorp's signature of it).

# Consul CE, releases.hashicorp.com/consul/ (consul_1.21.2_SHA256SUMS + .sig).
: "${CONSUL_VERSION:=1.21.2}"
# Cortex, GitHub release v1.20.0 of cortexproject/cortex (bare binaries + *-sha-256).
: "${CORTEX_VERSION:=1.20.0}"
# Grafana OSS, dl.grafana.com/oss/release/ (tarball + .sha256).
: "${GRAFANA_VERSION:=12.0.2}"
# Prometheus 3.5, the long-term-support line (GitHub release, sha256sums.txt).
: "${PROMETHEUS_VERSION:=3.5.0}"
# Prometheus node exporter, GitHub release v1.10.2 of prometheus/node_exporter (sha256sums.txt).
: "${NODE_EXPORTER_VERSION:=1.10.2}"
# prometheus-nginxlog-exporter, GitHub release of martin-helmich/... (goreleaser checksums.txt).
: "${NGINXLOG_EXPORTER_VERSION:=1.11.0}"
