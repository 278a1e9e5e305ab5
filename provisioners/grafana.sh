#!/usr/bin/env bash
# grafana.sh: Grafana OSS from Grafana Labs' release tarball (dl.grafana.com), verified
# against the published .sha256 file, with the Prometheus and Cortex data sources
# provisioned. Installed under /opt/grafana-<version> (/opt/grafana points at it).
#
# Environment:
#   GRAFANA_VERSION          default in lib/versions.sh (12.0.2)
#   GRAFANA_HTTP_PORT        default 3000
#   GRAFANA_PROMETHEUS_URL   default http://localhost:9090
#   GRAFANA_CORTEX_URL       default http://nginx/prometheus  (Cortex's Prometheus API,
#                                                               through the gateway)
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner grafana

# Grafana OSS releases are published as dl.grafana.com/oss/release/
# grafana-<version>.linux-<arch>.tar.gz with a .sha256 file beside it holding only the hash.
GRAFANA_HTTP_PORT=${GRAFANA_HTTP_PORT:-3000}
GRAFANA_PROMETHEUS_URL=${GRAFANA_PROMETHEUS_URL:-http://localhost:9090}
GRAFANA_CORTEX_URL=${GRAFANA_CORTEX_URL:-http://nginx/prometheus}
require_value GRAFANA_VERSION "$GRAFANA_VERSION"
require_uint GRAFANA_HTTP_PORT "$GRAFANA_HTTP_PORT" 1
require_value GRAFANA_PROMETHEUS_URL "$GRAFANA_PROMETHEUS_URL"
require_value GRAFANA_CORTEX_URL "$GRAFANA_CORTEX_URL"

# Grafana's own Debian/Ubuntu packaging depends on musl; the tarball's binaries need it too.
apt_install ca-certificates musl
build_deps curl

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release grafana "$arch" "$work"
archive=${RELEASE_FILE##*/}

home=/opt/grafana-${GRAFANA_VERSION}
rm -rf -- "$home"
mkdir -p "$home"
# The tarball's single top directory is grafana-v<version> (older releases: grafana-<version>).
tar -xzf "$RELEASE_FILE" -C "$home" --strip-components=1 --no-same-owner
[[ -x $home/bin/grafana ]] || die "$archive has no bin/grafana"
ln -sfn "$home" /opt/grafana
for bin in grafana grafana-server grafana-cli; do
  if [[ -e $home/bin/$bin ]]; then
    ln -sfn "/opt/grafana/bin/$bin" "/usr/local/bin/$bin"
  fi
done

ensure_system_user grafana /var/lib/grafana
ensure_dir /var/lib/grafana grafana:grafana 0750
ensure_dir /var/lib/grafana/plugins grafana:grafana 0750
ensure_dir /var/log/grafana grafana:grafana 0750
for dir in /etc/grafana /etc/grafana/provisioning /etc/grafana/provisioning/datasources \
  /etc/grafana/provisioning/dashboards /etc/grafana/provisioning/plugins \
  /etc/grafana/provisioning/alerting; do
  ensure_dir "$dir" root:grafana 0755
done

write_file /etc/grafana/grafana.ini 0640 root:grafana <<EOC
; Managed by build-images (provisioners/grafana.sh). Started as:
;   grafana server --homepath /opt/grafana --config /etc/grafana/grafana.ini
; Everything not set here comes from /opt/grafana/conf/defaults.ini.
[paths]
data = /var/lib/grafana
logs = /var/log/grafana
plugins = /var/lib/grafana/plugins
provisioning = /etc/grafana/provisioning

[server]
http_port = $GRAFANA_HTTP_PORT

[analytics]
reporting_enabled = false
check_for_updates = false
check_for_plugin_updates = false
EOC

write_file /etc/grafana/provisioning/datasources/build-images.yaml 0640 root:grafana <<EOC
# Managed by build-images (provisioners/grafana.sh).
apiVersion: 1
datasources:
  - name: Prometheus
    uid: prometheus
    type: prometheus
    access: proxy
    url: "$GRAFANA_PROMETHEUS_URL"
    isDefault: true
  - name: Cortex
    uid: cortex
    type: prometheus
    access: proxy
    url: "$GRAFANA_CORTEX_URL"
EOC

check_version "$GRAFANA_VERSION" grafana --version
install_service grafana --user grafana --description "Grafana" --workdir /opt/grafana \
  --rw /var/lib/grafana --rw /var/log/grafana --after prometheus.service \
  -- /opt/grafana/bin/grafana server --homepath /opt/grafana --config /etc/grafana/grafana.ini
consul_service grafana "$GRAFANA_HTTP_PORT" /metrics /api/health
log "done: grafana $GRAFANA_VERSION in $home, :$GRAFANA_HTTP_PORT"
