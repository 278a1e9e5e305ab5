#!/usr/bin/env bash
# consul.sh: Consul agent (client mode), from HashiCorp's release archive, verified against
# HashiCorp's SHA256SUMS and its signature (SHA256SUMS.sig, HashiCorp's release key in
# lib/hashicorp-security.asc). Part of the base image: every node runs an agent that joins the
# servers and serves the local HTTP API (127.0.0.1:8500) and DNS (127.0.0.1:8600) that Cortex
# and Prometheus use. consul-server.sh turns it into a server.
#
# Docker: the agent is a sidecar started by image-start; it joins CONSUL_RETRY_JOIN.
# Machines (AMIs): consul.service, after consul-instance-config.service, which writes this
# instance's node name, address and (from an instance tag) cloud auto-join at every boot.
#
# Environment:
#   CONSUL_VERSION        default in lib/versions.sh (1.21.2)
#   CONSUL_DATACENTER     default dc1
#   CONSUL_RETRY_JOIN     comma-separated addresses or cloud auto-join strings baked into the
#                         image; default "consul" on Docker (the servers' network alias), none
#                         on machines (joined by tag at boot)
#   CONSUL_JOIN_TAG_KEY   machines: the instance tag whose value names the cluster to join by
#                         cloud auto-join; default build-images:consul-join
#   HASHICORP_PGP_KEY_FILE  another armored key to verify SHA256SUMS.sig with (tests only)
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner consul

manager=$(service_manager)
CONSUL_DATACENTER=${CONSUL_DATACENTER:-dc1}
if [[ $manager == docker ]]; then
  CONSUL_RETRY_JOIN=${CONSUL_RETRY_JOIN-consul}
else
  CONSUL_RETRY_JOIN=${CONSUL_RETRY_JOIN-}
fi
CONSUL_JOIN_TAG_KEY=${CONSUL_JOIN_TAG_KEY-build-images:consul-join}
require_value CONSUL_VERSION "$CONSUL_VERSION"
require_value CONSUL_DATACENTER "$CONSUL_DATACENTER"
[[ $CONSUL_RETRY_JOIN != *$'\n'* ]] || die "CONSUL_RETRY_JOIN must be one line"
[[ -z $CONSUL_JOIN_TAG_KEY ]] || require_value CONSUL_JOIN_TAG_KEY "$CONSUL_JOIN_TAG_KEY"

apt_install ca-certificates
if [[ $manager == systemd ]]; then
  # consul-instance-config asks the instance metadata service with curl at every boot.
  apt_install curl
  build_deps unzip
else
  build_deps curl unzip
fi

arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release consul "$arch" "$work"
unzip -o -q "$RELEASE_FILE" consul -d "$work/unpacked"
install_binary "$work/unpacked/consul" consul

ensure_system_user consul /var/lib/consul
# The data directory holds the node ID and state: it must start empty on every new node.
rm -rf /var/lib/consul
ensure_dir /var/lib/consul consul:consul 0750
ensure_dir "$CONSUL_CONFIG_DIR" root:consul 0750

retry_join=""
if [[ -n $CONSUL_RETRY_JOIN ]]; then
  retry_join="retry_join = $(hcl_list "$CONSUL_RETRY_JOIN")"
fi

# Settings every node shares. Roles add their own file (consul-server.sh writes server.hcl),
# services drop service-<name>.hcl, machines get instance.hcl at boot. No key is in two files
# (list keys such as retry_join add up).
write_file "$CONSUL_CONFIG_DIR/consul.hcl" 0640 root:consul <<EOC
# Managed by build-images (provisioners/consul.sh).
datacenter = "$CONSUL_DATACENTER"
data_dir   = "/var/lib/consul"
log_level  = "INFO"
$retry_join

telemetry {
  prometheus_retention_time = "60s"
  disable_hostname          = true
}
EOC

if [[ $manager == systemd ]]; then
  write_file /etc/default/consul-instance-config 0644 <<EOC
# Managed by build-images (provisioners/consul.sh): read by consul-instance-config at boot.
CONSUL_JOIN_TAG_KEY=$CONSUL_JOIN_TAG_KEY
EOC
  install -D -m 0755 -o root -g root -- "$BI_LIB/consul-instance-config" \
    /usr/local/libexec/build-images/consul-instance-config
  write_file "$SYSTEMD_UNIT_DIR/consul-instance-config.service" 0644 <<'EOC'
# Managed by build-images (consul.sh): this instance's Consul settings, written at every boot.
[Unit]
Description=Write this instance's Consul settings (node name, address, cloud auto-join)
Wants=network-online.target
After=network-online.target
Before=consul.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/libexec/build-images/consul-instance-config
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=/etc/consul.d
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
EOC
  systemd_enable consul-instance-config.service
fi

check_version "Consul v$CONSUL_VERSION" consul version
consul validate "$CONSUL_CONFIG_DIR" >&2
consul_agent_service sidecar
log "done: consul $CONSUL_VERSION agent ($manager), retry_join ${CONSUL_RETRY_JOIN:-(at boot)}"
