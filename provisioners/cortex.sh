#!/usr/bin/env bash
# cortex.sh: Cortex in single-process mode (-target=all), from the Cortex GitHub release
# binary, verified against the release's published *-sha-256 file. The rings live in Consul
# through the local agent (consul.sh, base image). Blocks, the ruler's rule groups and
# Alertmanager's configurations are stored under CORTEX_STORAGE_DIR (filesystem backend: the
# Docker root mounts one volume there for every replica), or in S3 (CORTEX_STORAGE_BACKEND=s3, for
# AWS: blocks in one bucket, rules and Alertmanager configurations in another, as the compactor
# takes every top-level entry of the blocks bucket for a tenant). Never `local`: rules kept on an
# instance are lost with it and differ between replicas. The compactor and the ruler shard their
# work through rings in Consul, so replicas sharing storage never compact or evaluate the same
# thing twice. Auth is off (single tenant "fake").
#
# Environment:
#   CORTEX_VERSION              default in lib/versions.sh (1.20.0)
#   CORTEX_CONSUL_ADDRESS       default localhost:8500  (Consul HTTP API for the ring store)
#   CORTEX_REPLICATION_FACTOR   default 1
#   CORTEX_INTERFACE_NAMES      default eth0,ens5,en0  (the ring advertises the first with an address)
#   CORTEX_STORAGE_BACKEND      filesystem (default) or s3
#   CORTEX_STORAGE_DIR          filesystem: default /var/lib/cortex/storage (blocks/, rules/,
#                               alertmanager/ below it; share it between replicas)
#   CORTEX_S3_BUCKET            s3: bucket for blocks (required with s3)
#   CORTEX_S3_RULER_BUCKET      s3: bucket for rule groups and Alertmanager configurations
#                               (required with s3; not the blocks bucket)
#   CORTEX_S3_REGION            s3: default us-east-1
#   CORTEX_S3_ENDPOINT          s3: default s3.<region>.amazonaws.com
#                               Credentials are never baked in: on EC2 they come from the
#                               instance profile (IMDS).
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner cortex

CORTEX_CONSUL_ADDRESS=${CORTEX_CONSUL_ADDRESS:-localhost:8500}
CORTEX_REPLICATION_FACTOR=${CORTEX_REPLICATION_FACTOR:-1}
CORTEX_INTERFACE_NAMES=${CORTEX_INTERFACE_NAMES:-eth0,ens5,en0}
[[ $CORTEX_INTERFACE_NAMES =~ ^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$ ]] || die "CORTEX_INTERFACE_NAMES must be interface names separated by commas, got: $CORTEX_INTERFACE_NAMES"
CORTEX_STORAGE_BACKEND=${CORTEX_STORAGE_BACKEND:-filesystem}
CORTEX_STORAGE_DIR=${CORTEX_STORAGE_DIR:-/var/lib/cortex/storage}
CORTEX_S3_REGION=${CORTEX_S3_REGION:-us-east-1}
CORTEX_S3_ENDPOINT=${CORTEX_S3_ENDPOINT:-s3.${CORTEX_S3_REGION}.amazonaws.com}
require_value CORTEX_VERSION "$CORTEX_VERSION"
require_value CORTEX_CONSUL_ADDRESS "$CORTEX_CONSUL_ADDRESS"
require_uint CORTEX_REPLICATION_FACTOR "$CORTEX_REPLICATION_FACTOR" 1
case $CORTEX_STORAGE_BACKEND in
  filesystem)
    [[ $CORTEX_STORAGE_DIR =~ ^/[A-Za-z0-9._/-]+$ && $CORTEX_STORAGE_DIR != *..* ]] || die "CORTEX_STORAGE_DIR must be an absolute path, got: $CORTEX_STORAGE_DIR"
    ;;
  s3)
    require_value CORTEX_S3_BUCKET "${CORTEX_S3_BUCKET:-}"
    require_value CORTEX_S3_RULER_BUCKET "${CORTEX_S3_RULER_BUCKET:-}"
    [[ $CORTEX_S3_RULER_BUCKET != "$CORTEX_S3_BUCKET" ]] || die "CORTEX_S3_RULER_BUCKET must not be the blocks bucket ($CORTEX_S3_BUCKET): the compactor would take rules/ and alerts/ for tenants"
    require_value CORTEX_S3_REGION "$CORTEX_S3_REGION"
    require_value CORTEX_S3_ENDPOINT "$CORTEX_S3_ENDPOINT"
    ;;
  *) die "CORTEX_STORAGE_BACKEND must be filesystem or s3, got '$CORTEX_STORAGE_BACKEND'" ;;
esac

apt_install ca-certificates
build_deps curl

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release cortex "$arch" "$work"
install_binary "$RELEASE_FILE" cortex

ensure_system_user cortex /var/lib/cortex
ensure_dir /etc/cortex root:root 0755
for dir in /var/lib/cortex /var/lib/cortex/tsdb /var/lib/cortex/tsdb-sync /var/lib/cortex/compactor \
  /var/lib/cortex/rules-tmp /var/lib/cortex/alertmanager-data; do
  ensure_dir "$dir" cortex:cortex 0750
done

# storage_block KIND: the backend settings of blocks_storage, ruler_storage or alertmanager_storage.
storage_block() {
  if [[ $CORTEX_STORAGE_BACKEND == s3 ]]; then
    local bucket=$CORTEX_S3_BUCKET
    [[ $1 == blocks ]] || bucket=$CORTEX_S3_RULER_BUCKET
    printf '  s3:\n    bucket_name: %s\n    endpoint: %s\n    region: %s\n' "$bucket" "$CORTEX_S3_ENDPOINT" "$CORTEX_S3_REGION"
  else
    printf '  filesystem:\n    dir: %s/%s\n' "$CORTEX_STORAGE_DIR" "$1"
  fi
}
if [[ $CORTEX_STORAGE_BACKEND == filesystem ]]; then
  # Docker copies these (with their owner) into a new volume mounted at CORTEX_STORAGE_DIR.
  for dir in "$CORTEX_STORAGE_DIR" "$CORTEX_STORAGE_DIR/blocks" "$CORTEX_STORAGE_DIR/rules" "$CORTEX_STORAGE_DIR/alertmanager"; do
    ensure_dir "$dir" cortex:cortex 0750
  done
fi

# Based on Cortex's docs/configuration/single-process-config-blocks-local.yaml, with the
# ingester and distributor rings in Consul instead of in memory.
write_file /etc/cortex/cortex.yaml 0644 <<EOC
# Managed by build-images (provisioners/cortex.sh). Started as:
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
    # The ring advertises the first of these interfaces that has an address: eth0 in Docker,
    # ens5 on Nitro EC2 instances (Cortex's default list is eth0 and en0 only).
    interface_names: [$CORTEX_INTERFACE_NAMES]
    ring:
      kvstore:
        store: consul
        consul:
          host: $CORTEX_CONSUL_ADDRESS
      replication_factor: $CORTEX_REPLICATION_FACTOR

blocks_storage:
  backend: $CORTEX_STORAGE_BACKEND
  tsdb:
    dir: /var/lib/cortex/tsdb
  bucket_store:
    sync_dir: /var/lib/cortex/tsdb-sync
$(storage_block blocks)

# Sharded through a ring, so replicas sharing one store never compact the same tenant at once.
compactor:
  data_dir: /var/lib/cortex/compactor
  sharding_enabled: true
  sharding_ring:
    instance_interface_names: [$CORTEX_INTERFACE_NAMES]
    kvstore:
      store: consul
      consul:
        host: $CORTEX_CONSUL_ADDRESS

frontend_worker:
  match_max_concurrent: true

# Rule groups live in shared storage (ruler_storage) and are sharded between the replicas' rulers.
ruler:
  enable_api: true
  rule_path: /var/lib/cortex/rules-tmp
  enable_sharding: true
  ring:
    instance_interface_names: [$CORTEX_INTERFACE_NAMES]
    kvstore:
      store: consul
      consul:
        host: $CORTEX_CONSUL_ADDRESS

ruler_storage:
  backend: $CORTEX_STORAGE_BACKEND
$(storage_block rules)

alertmanager:
  data_dir: /var/lib/cortex/alertmanager-data

alertmanager_storage:
  backend: $CORTEX_STORAGE_BACKEND
$(storage_block alertmanager)
EOC

check_version "$CORTEX_VERSION" cortex -version
install_service cortex --user cortex --description "Cortex (single process)" \
  --rw /var/lib/cortex --workdir /var/lib/cortex --after consul.service \
  -- /usr/local/bin/cortex -config.file=/etc/cortex/cortex.yaml -target=all
consul_service cortex 9009 /metrics /ready
log "done: cortex $CORTEX_VERSION, HTTP :9009, gRPC :9095, rings in Consul at $CORTEX_CONSUL_ADDRESS, storage: $CORTEX_STORAGE_BACKEND"
