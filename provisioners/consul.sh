#!/usr/bin/env bash
# consul.sh: Consul agent (client mode), from HashiCorp's release archive, verified against
# HashiCorp's published SHA256SUMS. Part of the base image: every node runs an agent that
# joins the servers (CONSUL_RETRY_JOIN) and serves the local HTTP API (127.0.0.1:8500) and
# DNS (127.0.0.1:8600) that Cortex and Prometheus use. consul-server.sh turns it into a server.
#
# Environment:
#   CONSUL_VERSION      default 1.21.2
#   CONSUL_DATACENTER   default dc1
#   CONSUL_RETRY_JOIN   default consul  (comma-separated addresses or cloud auto-join strings)
set -euo pipefail
# shellcheck disable=SC2034 # read by lib/common.sh
BI_NAME=consul
lib=/tmp/build-images/lib
[[ -r $lib/common.sh ]] || lib="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
require_root

# 1.21.2 is a Consul CE release listed on releases.hashicorp.com/consul/.
CONSUL_VERSION=${CONSUL_VERSION:-1.21.2}
CONSUL_DATACENTER=${CONSUL_DATACENTER:-dc1}
CONSUL_RETRY_JOIN=${CONSUL_RETRY_JOIN:-consul}
require_value CONSUL_VERSION "$CONSUL_VERSION"
require_value CONSUL_DATACENTER "$CONSUL_DATACENTER"
[[ $CONSUL_RETRY_JOIN != *$'\n'* ]] || die "CONSUL_RETRY_JOIN must be one line"

apt_install ca-certificates curl unzip

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
release=releases.hashicorp.com/consul/${CONSUL_VERSION}
archive=consul_${CONSUL_VERSION}_linux_${arch}.zip
fetch_verified "$release/$archive" "$release/consul_${CONSUL_VERSION}_SHA256SUMS" "$work/$archive"
unzip -o -q "$work/$archive" consul -d "$work/unpacked"
install_binary "$work/unpacked/consul" consul

ensure_system_user consul /var/lib/consul
ensure_dir /var/lib/consul consul:consul 0750
ensure_dir "$CONSUL_CONFIG_DIR" root:root 0755

# Settings every node shares. Roles add their own file (consul-server.sh writes server.hcl);
# services drop service-<name>.hcl. No key is set in two files.
write_file "$CONSUL_CONFIG_DIR/consul.hcl" 0644 <<EOC
# Managed by build-images (provisioners/consul.sh). Start with:
#   consul agent -config-dir=$CONSUL_CONFIG_DIR
datacenter = "$CONSUL_DATACENTER"
data_dir   = "/var/lib/consul"
log_level  = "INFO"
retry_join = $(hcl_list "$CONSUL_RETRY_JOIN")

telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
EOC

check_version "Consul v$CONSUL_VERSION" consul version
consul validate "$CONSUL_CONFIG_DIR" >&2
log "done: consul $CONSUL_VERSION agent, retry_join $(hcl_list "$CONSUL_RETRY_JOIN")"
