#!/usr/bin/env bash
# prometheus.sh: Prometheus and promtool from the Prometheus project's release archive,
# verified against the release's published sha256sums.txt. Prometheus finds its targets
# through Consul (every service the local agent knows with the tag "prometheus") and
# forwards all samples to Cortex by remote write.
#
# Why not Debian's package: Debian builds its prometheus without Consul service discovery
# (its changelog: "Disable Consul SD until its Debian package is back in shape"); bookworm's
# 2.42.0+ds promtool rejects consul_sd_configs ("field consul_sd_configs not found").
#
# Environment:
#   PROMETHEUS_VERSION            default 3.5.0  (the 3.5 long-term-support release)
#   PROMETHEUS_SCRAPE_INTERVAL    default 15s
#   PROMETHEUS_CONSUL_ADDRESS     default localhost:8500  (Consul HTTP API for consul_sd)
#   PROMETHEUS_REMOTE_WRITE_URL   default http://nginx/api/v1/push  (the Cortex gateway;
#                                         set it empty for no remote write)
set -euo pipefail
# shellcheck disable=SC2034 # read by lib/common.sh
BI_NAME=prometheus
lib=/tmp/build-images/lib
[[ -r $lib/common.sh ]] || lib="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
require_root

# v3.5.0 is a published Prometheus release (LTS); its assets are
# prometheus-<version>.linux-<arch>.tar.gz and sha256sums.txt ("<hash>  <file>" lines).
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-3.5.0}
PROMETHEUS_SCRAPE_INTERVAL=${PROMETHEUS_SCRAPE_INTERVAL:-15s}
PROMETHEUS_CONSUL_ADDRESS=${PROMETHEUS_CONSUL_ADDRESS:-localhost:8500}
PROMETHEUS_REMOTE_WRITE_URL=${PROMETHEUS_REMOTE_WRITE_URL-http://nginx/api/v1/push}
require_value PROMETHEUS_VERSION "$PROMETHEUS_VERSION"
require_value PROMETHEUS_SCRAPE_INTERVAL "$PROMETHEUS_SCRAPE_INTERVAL"
require_value PROMETHEUS_CONSUL_ADDRESS "$PROMETHEUS_CONSUL_ADDRESS"
if [[ -n $PROMETHEUS_REMOTE_WRITE_URL ]]; then
  require_value PROMETHEUS_REMOTE_WRITE_URL "$PROMETHEUS_REMOTE_WRITE_URL"
fi

apt_install ca-certificates curl

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
release=github.com/prometheus/prometheus/releases/download/v${PROMETHEUS_VERSION}
archive=prometheus-${PROMETHEUS_VERSION}.linux-${arch}.tar.gz
fetch_verified "$release/$archive" "$release/sha256sums.txt" "$work/$archive"
mkdir -p "$work/unpacked"
tar -xzf "$work/$archive" -C "$work/unpacked" --strip-components=1 --no-same-owner
for bin in prometheus promtool; do
  [[ -f $work/unpacked/$bin ]] || die "$archive has no $bin"
  install_binary "$work/unpacked/$bin" "$bin"
done

ensure_system_user prometheus /var/lib/prometheus
ensure_dir /var/lib/prometheus prometheus:prometheus 0750
ensure_dir /etc/prometheus root:root 0755

remote_write=""
if [[ -n $PROMETHEUS_REMOTE_WRITE_URL ]]; then
  remote_write=$(printf '\nremote_write:\n  - url: "%s"\n' "$PROMETHEUS_REMOTE_WRITE_URL")
fi

write_file /etc/prometheus/prometheus.yml 0644 <<EOC
# Managed by build-images (provisioners/prometheus.sh). Start with:
#   prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus
global:
  scrape_interval: $PROMETHEUS_SCRAPE_INTERVAL
  evaluation_interval: $PROMETHEUS_SCRAPE_INTERVAL

scrape_configs:
  # Every service registered with Consul under the tag "prometheus" (see consul_service in
  # provisioners/lib/common.sh); the service's meta.metrics_path says where its metrics are.
  - job_name: consul-services
    consul_sd_configs:
      - server: "$PROMETHEUS_CONSUL_ADDRESS"
        tags: ["prometheus"]
    relabel_configs:
      - source_labels: [__meta_consul_service]
        target_label: job
      - source_labels: [__meta_consul_node]
        target_label: instance
      - source_labels: [__meta_consul_service_metadata_metrics_path]
        regex: (.+)
        target_label: __metrics_path__
$remote_write
EOC

check_version "$PROMETHEUS_VERSION" prometheus --version
promtool check config /etc/prometheus/prometheus.yml >&2
consul_service prometheus 9090 /metrics /-/healthy
log "done: prometheus $PROMETHEUS_VERSION on :9090, targets from Consul at $PROMETHEUS_CONSUL_ADDRESS"
