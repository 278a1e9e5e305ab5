# How each image's services start, in one place for both rollout roots.
#
# The images install binaries and configuration (provisioners/) but no entrypoints or service
# units yet. terraform/docker runs these commands from a start script in each container;
# terraform/aws turns them into systemd units. Paths are the ones the provisioners install.
# When the images gain entrypoints or units, change this module.

locals {
  # Debian's package brings the binary and a unit of its own.
  node_exporter = { name = "node-exporter", user = "prometheus", command = "/usr/bin/prometheus-node-exporter", package_unit = "prometheus-node-exporter" }

  consul = {
    server = { name = "consul", user = "consul", command = join(" ", concat(["/usr/local/bin/consul agent -config-dir=/etc/consul.d"], var.consul_server_args)), package_unit = "" }
    client = { name = "consul", user = "consul", command = join(" ", concat(["/usr/local/bin/consul agent -config-dir=/etc/consul.d"], var.consul_client_args)), package_unit = "" }
  }

  # Every image is built from base (node exporter, consul agent). The last process of a role is
  # its main one: the one a container's lifetime follows.
  processes = {
    consul = [local.node_exporter, local.consul.server]
    cortex = [
      local.node_exporter,
      local.consul.client,
      { name = "cortex", user = "cortex", command = join(" ", concat(["/usr/local/bin/cortex -config.file=/etc/cortex/cortex.yaml -target=all"], var.cortex_args)), package_unit = "" },
    ]
    nginx = [
      local.node_exporter,
      local.consul.client,
      { name = "nginx", user = "root", command = "/usr/sbin/nginx -g 'daemon off;'", package_unit = "nginx" },
      { name = "nginxlog-exporter", user = "prometheus-nginxlog-exporter", command = "/usr/local/bin/prometheus-nginxlog-exporter -config-file /etc/prometheus-nginxlog-exporter/config.yml", package_unit = "" },
    ]
    monitoring = [
      local.node_exporter,
      local.consul.client,
      { name = "prometheus", user = "prometheus", command = "/usr/local/bin/prometheus --config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus", package_unit = "" },
      { name = "grafana", user = "grafana", command = "/usr/local/bin/grafana server --homepath /opt/grafana --config /etc/grafana/grafana.ini", package_unit = "" },
    ]
  }
}
