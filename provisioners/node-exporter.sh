#!/usr/bin/env bash
# node-exporter.sh: Prometheus node exporter (host metrics on :9100), from the Prometheus
# project's release archive, verified against the release's sha256sums.txt, run as the
# node_exporter user and registered with the local Consul agent so Prometheus finds it. Part
# of the base image: every other image inherits it. Also installs the Docker runtime (tini
# and image-start) on Docker images, as the first service of the tree.
#
# Environment:
#   NODE_EXPORTER_VERSION   default in lib/versions.sh (1.10.2)
#   NODE_EXPORTER_PORT      default 9100
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner node-exporter

NODE_EXPORTER_PORT=${NODE_EXPORTER_PORT:-9100}
require_value NODE_EXPORTER_VERSION "$NODE_EXPORTER_VERSION"
require_uint NODE_EXPORTER_PORT "$NODE_EXPORTER_PORT" 1

apt_install ca-certificates
build_deps curl

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release node_exporter "$arch" "$work"
mkdir -p "$work/unpacked"
tar -xzf "$RELEASE_FILE" -C "$work/unpacked" --strip-components=1 --no-same-owner
[[ -f $work/unpacked/node_exporter ]] || die "${RELEASE_FILE##*/} has no node_exporter"
install_binary "$work/unpacked/node_exporter" node_exporter

ensure_system_user node_exporter /var/lib/node_exporter
ensure_dir /var/lib/node_exporter root:root 0755
# Other software drops *.prom files here (node_exporter's textfile collector).
ensure_dir /var/lib/node_exporter/textfile_collector root:node_exporter 0775

check_version "$NODE_EXPORTER_VERSION" node_exporter --version
install_service node-exporter --user node_exporter --role sidecar --order 10 \
  --description "Prometheus node exporter" \
  -- /usr/local/bin/node_exporter "--web.listen-address=:$NODE_EXPORTER_PORT" \
  --collector.textfile.directory=/var/lib/node_exporter/textfile_collector
consul_service node-exporter "$NODE_EXPORTER_PORT" /metrics
log "done: node_exporter $NODE_EXPORTER_VERSION on :$NODE_EXPORTER_PORT ($(service_manager))"
