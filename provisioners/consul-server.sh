#!/usr/bin/env bash
# consul-server.sh: turns the Consul agent installed by consul.sh (base image) into a server
# with the web UI, and makes it the consul image's main service. Installs nothing itself.
#
# Environment:
#   CONSUL_BOOTSTRAP_EXPECT   default 1  (number of servers to wait for before electing a
#                                          leader; use 3 or 5 for a fault-tolerant cluster)
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner consul-server

CONSUL_BOOTSTRAP_EXPECT=${CONSUL_BOOTSTRAP_EXPECT:-1}
require_uint CONSUL_BOOTSTRAP_EXPECT "$CONSUL_BOOTSTRAP_EXPECT" 1

if ! command -v consul >/dev/null || [[ ! -f $CONSUL_CONFIG_DIR/consul.hcl ]]; then
  die "no Consul agent here: consul-server.sh runs on top of the base image (consul.sh)"
fi

write_file "$CONSUL_CONFIG_DIR/server.hcl" 0640 root:consul <<EOC
# Managed by build-images (provisioners/consul-server.sh).
server           = true
bootstrap_expect = $CONSUL_BOOTSTRAP_EXPECT

# Servers answer the HTTP API, the UI and DNS on every interface (agents keep 127.0.0.1).
client_addr = "0.0.0.0"

ui_config {
  enabled = true
}
EOC

consul validate "$CONSUL_CONFIG_DIR" >&2
consul_agent_service main
log "done: consul server, bootstrap_expect $CONSUL_BOOTSTRAP_EXPECT, UI on :8500, DNS on :8600"
