#!/usr/bin/env bash
# cortex.sh: Cortex in single-process mode (-target=all), from the Cortex GitHub release
# binary, verified against the release's published *-sha-256 file. The rings live in Consul
# through the local agent (consul.sh, base image); blocks are stored on the local filesystem.
#
# Environment:
#   CORTEX_VERSION              default 1.20.0
#   CORTEX_CONSUL_ADDRESS       default localhost:8500  (Consul HTTP API for the ring store)
#   CORTEX_REPLICATION_FACTOR   default 1
set -euo pipefail
# shellcheck disable=SC2034 # read by lib/common.sh
BI_NAME=cortex
lib=/tmp/build-images/lib
[[ -r $lib/common.sh ]] || lib="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
require_root

# v1.20.0 is a published Cortex release (cortexproject/cortex, tag v1.20.0). Cortex attaches
# bare binaries plus a file holding only the hex SHA-256 (its Makefile's `dist` target:
# cortex-linux-amd64 and cortex-linux-amd64-sha-256).
CORTEX_VERSION=${CORTEX_VERSION:-1.20.0}
CORTEX_CONSUL_ADDRESS=${CORTEX_CONSUL_ADDRESS:-localhost:8500}
CORTEX_REPLICATION_FACTOR=${CORTEX_REPLICATION_FACTOR:-1}
require_value CORTEX_VERSION "$CORTEX_VERSION"
require_value CORTEX_CONSUL_ADDRESS "$CORTEX_CONSUL_ADDRESS"
require_uint CORTEX_REPLICATION_FACTOR "$CORTEX_REPLICATION_FACTOR" 1

apt_install ca-certificates curl

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
release=github.com/cortexproject/cortex/releases/download/v${CORTEX_VERSION}
binary=cortex-linux-${arch}
fetch_verified "$release/$binary" "$release/$binary-sha-256" "$work/$binary"
install_binary "$work/$binary" cortex

ensure_system_user cortex /var/lib/cortex
ensure_dir /etc/cortex root:root 0755
for dir in /var/lib/cortex /var/lib/cortex/tsdb /var/lib/cortex/tsdb-sync /var/lib/cortex/blocks \
  /var/lib/cortex/compactor /var/lib/cortex/rules /var/lib/cortex/alertmanager; do
  ensure_dir "$dir" cortex:cortex 0750
done

# Based on Cortex's docs/configuration/single-process-config-blocks-local.yaml, with the
# ingester and distributor rings in Consul instead of in memory.
write_file /etc/cortex/cortex.yaml 0644 <<EOC
# Managed by build-images (provisioners/cortex.sh). Start with:
#   cortex -config.file=/etc/cortex/cortex.yaml -target=all
auth_enabled: false

server:
  http_listen_port: 9009
  grpc_listen_port: 9095
  grpc_server_max_recv_msg_size: 104857600
  grpc_server_max_send_msg_size: 104857600
  grpc_server_max_concurrent_streams: 1000

distributor:
  shard_by_all_labels: true
  pool:
    health_check_ingesters: true
  ring:
    kvstore:
      store: consul
      consul:
        host: $CORTEX_CONSUL_ADDRESS

ingester_client:
  grpc_client_config:
    max_recv_msg_size: 104857600
    max_send_msg_size: 104857600
    grpc_compression: gzip

ingester:
  lifecycler:
    min_ready_duration: 0s
    final_sleep: 0s
    num_tokens: 512
    ring:
      kvstore:
        store: consul
        consul:
          host: $CORTEX_CONSUL_ADDRESS
      replication_factor: $CORTEX_REPLICATION_FACTOR

blocks_storage:
  backend: filesystem
  tsdb:
    dir: /var/lib/cortex/tsdb
  bucket_store:
    sync_dir: /var/lib/cortex/tsdb-sync
  filesystem:
    dir: /var/lib/cortex/blocks

compactor:
  data_dir: /var/lib/cortex/compactor
  sharding_ring:
    kvstore:
      store: consul
      consul:
        host: $CORTEX_CONSUL_ADDRESS

frontend_worker:
  match_max_concurrent: true

ruler:
  enable_api: true

ruler_storage:
  backend: local
  local:
    directory: /var/lib/cortex/rules

alertmanager_storage:
  backend: local
  local:
    path: /var/lib/cortex/alertmanager
EOC

consul_service cortex 9009 /metrics /ready
check_version "$CORTEX_VERSION" cortex -version
log "done: cortex $CORTEX_VERSION, HTTP :9009, gRPC :9095, rings in Consul at $CORTEX_CONSUL_ADDRESS"
