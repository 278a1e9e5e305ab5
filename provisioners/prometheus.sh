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
#   PROMETHEUS_VERSION            default in lib/versions.sh (3.5.0, the 3.5 LTS release)
#   PROMETHEUS_SCRAPE_INTERVAL    default 15s
#   PROMETHEUS_DISCOVERY          consul (default): every service Consul knows with the tag
#                                 "prometheus"; file: the target files in
#                                 /etc/prometheus/file_sd/*.yml (for Prometheus builds without
#                                 Consul discovery, such as Debian's; this image's own
#                                 node_exporter and Prometheus are listed there)
#   PROMETHEUS_CONSUL_ADDRESS     default localhost:8500  (Consul HTTP API for consul_sd)
#   PROMETHEUS_REMOTE_WRITE_URL   default http://nginx/api/v1/push  (the Cortex gateway;
#                                         set it empty for no remote write)
#   PROMETHEUS_REMOTE_FLUSH_DEADLINE  default 5s: how long a stopping Prometheus tries to
#                                 send what it has not remote-written yet (Prometheus' own
#                                 default is 1m, longer than `docker stop`'s 10 s grace; what
#                                 is not sent stays in the WAL and goes out after the restart)
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner prometheus

PROMETHEUS_SCRAPE_INTERVAL=${PROMETHEUS_SCRAPE_INTERVAL:-15s}
PROMETHEUS_DISCOVERY=${PROMETHEUS_DISCOVERY:-consul}
PROMETHEUS_CONSUL_ADDRESS=${PROMETHEUS_CONSUL_ADDRESS:-localhost:8500}
PROMETHEUS_REMOTE_WRITE_URL=${PROMETHEUS_REMOTE_WRITE_URL-http://nginx/api/v1/push}
PROMETHEUS_REMOTE_FLUSH_DEADLINE=${PROMETHEUS_REMOTE_FLUSH_DEADLINE:-5s}
require_value PROMETHEUS_REMOTE_FLUSH_DEADLINE "$PROMETHEUS_REMOTE_FLUSH_DEADLINE"
require_value PROMETHEUS_VERSION "$PROMETHEUS_VERSION"
require_value PROMETHEUS_SCRAPE_INTERVAL "$PROMETHEUS_SCRAPE_INTERVAL"
require_value PROMETHEUS_CONSUL_ADDRESS "$PROMETHEUS_CONSUL_ADDRESS"
[[ $PROMETHEUS_DISCOVERY == consul || $PROMETHEUS_DISCOVERY == file ]] ||
  die "PROMETHEUS_DISCOVERY must be consul or file, got '$PROMETHEUS_DISCOVERY'"
if [[ -n $PROMETHEUS_REMOTE_WRITE_URL ]]; then
  require_value PROMETHEUS_REMOTE_WRITE_URL "$PROMETHEUS_REMOTE_WRITE_URL"
fi

apt_install ca-certificates
build_deps curl

# The release archive (prometheus-<version>.linux-<arch>.tar.gz, one top directory) holds
# prometheus, promtool and an example configuration.
arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release prometheus "$arch" "$work"
mkdir -p "$work/unpacked"
tar -xzf "$RELEASE_FILE" -C "$work/unpacked" --strip-components=1 --no-same-owner
for bin in prometheus promtool; do
  [[ -f $work/unpacked/$bin ]] || die "${RELEASE_FILE##*/} has no $bin"
  install_binary "$work/unpacked/$bin" "$bin"
done

ensure_system_user prometheus /var/lib/prometheus
ensure_dir /var/lib/prometheus prometheus:prometheus 0750
ensure_dir /etc/prometheus root:root 0755

remote_write=""
if [[ -n $PROMETHEUS_REMOTE_WRITE_URL ]]; then
  remote_write=$(printf '\nremote_write:\n  - url: "%s"\n' "$PROMETHEUS_REMOTE_WRITE_URL")
fi

if [[ $PROMETHEUS_DISCOVERY == consul ]]; then
  discovery=$(
    cat <<EOC
  # Every service registered with Consul under the tag "prometheus" (see consul_service in
  # provisioners/lib/consul-agent.sh); the service's meta.metrics_path says where its metrics are.
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
EOC
  )
else
  discovery=$(
    cat <<'EOC'
  # Targets from the files in /etc/prometheus/file_sd/ (re-read when they change); each
  # target group's "job" label names the job.
  - job_name: file-sd
    file_sd_configs:
      - files: ["/etc/prometheus/file_sd/*.yml"]
EOC
  )
  ensure_dir /etc/prometheus/file_sd root:root 0755
  write_file /etc/prometheus/file_sd/local.yml 0644 <<'EOC'
# Managed by build-images (provisioners/prometheus.sh): this machine's own exporters.
- targets: ["localhost:9100"]
  labels: {job: node-exporter}
- targets: ["localhost:9090"]
  labels: {job: prometheus}
EOC
fi

write_file /etc/prometheus/prometheus.yml 0644 <<EOC
# Managed by build-images (provisioners/prometheus.sh). Started as:
#   prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus
global:
  scrape_interval: $PROMETHEUS_SCRAPE_INTERVAL
  evaluation_interval: $PROMETHEUS_SCRAPE_INTERVAL

scrape_configs:
$discovery
$remote_write
EOC

check_version "$PROMETHEUS_VERSION" prometheus --version
promtool check config /etc/prometheus/prometheus.yml >&2
install_service prometheus --user prometheus --description "Prometheus" --reload-signal HUP \
  --rw /var/lib/prometheus --workdir /var/lib/prometheus --after consul.service \
  -- /usr/local/bin/prometheus --config.file=/etc/prometheus/prometheus.yml \
  --storage.tsdb.path=/var/lib/prometheus --web.listen-address=:9090 \
  "--storage.remote.flush-deadline=$PROMETHEUS_REMOTE_FLUSH_DEADLINE"
consul_service prometheus 9090 /metrics /-/healthy
log "done: prometheus $PROMETHEUS_VERSION on :9090, targets from $PROMETHEUS_DISCOVERY"
