# shellcheck shell=bash
# Consul: the agent's configuration directory, service definitions for it (consul_service), and
# how the agent itself starts (consul_agent_service). Sourced by common.sh after services.sh.

# Consul agent configuration directory. Scripts that install a service drop a service
# definition here (consul_service), so Prometheus finds it through consul_sd.
readonly CONSUL_CONFIG_DIR=/etc/consul.d

# consul_service NAME PORT [METRICS_PATH] [HEALTH_PATH]: register a service with the local
# Consul agent by dropping a definition into CONSUL_CONFIG_DIR. With METRICS_PATH the service
# is tagged "prometheus" and Prometheus (consul_sd) scrapes PORT at that path. The health
# check is an HTTP GET of HEALTH_PATH (or METRICS_PATH), else a TCP connect to PORT.
consul_service() {
  local name=$1 port=$2 metrics_path=${3:-} health_path=${4:-${3:-}} tags='[]' meta="" check
  if [[ -n $metrics_path ]]; then
    tags='["prometheus"]'
    meta=$(printf '\n  meta = {\n    metrics_path = "%s"\n  }' "$metrics_path")
  fi
  if [[ -n $health_path ]]; then
    check="http     = \"http://localhost:${port}${health_path}\""
  else
    check="tcp      = \"localhost:${port}\""
  fi
  # consul.sh owns the directory (root:consul 0750); create it only when it runs first.
  [[ -d $CONSUL_CONFIG_DIR ]] || ensure_dir "$CONSUL_CONFIG_DIR" root:root 0755
  write_file "$CONSUL_CONFIG_DIR/service-$name.hcl" 0644 <<EOF
# Managed by build-images ($BI_NAME): registers $name with the local Consul agent.
service {
  name = "$name"
  port = $port
  tags = $tags$meta
  check {
    id       = "$name"
    $check
    interval = "15s"
    timeout  = "3s"
  }
}
EOF
}

# consul_agent_service main|sidecar: how the Consul agent starts (consul.sh defines it as a
# sidecar of every image; consul-server.sh makes it the consul image's main service).
consul_agent_service() {
  local after=()
  if [[ $(service_manager) == systemd ]]; then
    after=(--after consul-instance-config.service)
  fi
  install_service consul --user consul --role "$1" --order 20 --type notify --reload-signal HUP \
    --description "Consul agent" --rw /var/lib/consul --workdir /var/lib/consul "${after[@]}" \
    -- /usr/local/bin/consul agent -config-dir="$CONSUL_CONFIG_DIR"
}
