#!/usr/bin/env bash
# node-exporter.sh: Prometheus node exporter (host metrics on :9100), from the distribution's
# archive (Debian/Ubuntu package prometheus-node-exporter), registered with the local Consul
# agent so Prometheus finds it. Part of the base image; every other image inherits it.
set -euo pipefail
# shellcheck disable=SC2034 # read by lib/common.sh
BI_NAME=node-exporter
lib=/tmp/build-images/lib
[[ -r $lib/common.sh ]] || lib="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
require_root

# The package brings its own system user (prometheus), defaults file
# (/etc/default/prometheus-node-exporter) and service unit; it listens on :9100.
apt_install prometheus-node-exporter

consul_service node-exporter 9100 /metrics
check_version "" prometheus-node-exporter --version
log "done: prometheus-node-exporter $(dpkg-query -W -f='${Version}' prometheus-node-exporter)"
