# A local Cortex cluster from the images the Docker build produced.
#
# Containers are pinned to image IDs (var.images, from images.auto.tfvars.json). `image` forces
# replacement in the docker provider, so after a rebuild `terraform apply` replaces exactly the
# containers whose image ID changed and leaves the others running.

resource "docker_network" "cluster" {
  name   = var.name_prefix
  driver = "bridge"

  lifecycle {
    precondition {
      condition     = length(distinct([var.gateway_port, var.grafana_port, var.consul_ui_port])) == 3
      error_message = "gateway_port, grafana_port and consul_ui_port must be three different ports."
    }
  }
}

# Consul servers: the service catalog and Cortex's hash ring.
resource "docker_container" "consul" {
  count = var.consul_servers

  name       = local.consul_server_names[count.index]
  hostname   = local.consul_server_names[count.index]
  image      = var.images["consul"]
  entrypoint = ["/bin/sh"]
  command    = [local.start_script]
  init       = true
  restart    = "unless-stopped"
  # What the upstream consul image's entrypoint reads; kept for when the images gain entrypoints.
  env = ["CONSUL_BIND_INTERFACE=eth0"]

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["consul"]
  }

  # The UI of the first server, on the loopback interface only.
  dynamic "ports" {
    for_each = count.index == 0 ? [var.consul_ui_port] : []
    content {
      internal = 8500
      external = ports.value
      ip       = "127.0.0.1"
    }
  }

  upload {
    file       = local.start_script
    content    = local.start_scripts["consul"]
    executable = true
  }

  labels {
    label = "build-images.role"
    value = "consul"
  }
}

# Cortex single-process replicas; the rings are in Consul (through each container's local agent).
# The alias "cortex" resolves to all of them: the gateway's upstream in the nginx image.
resource "docker_container" "cortex" {
  count = var.cortex_replicas

  name       = "${var.name_prefix}-cortex-${count.index}"
  hostname   = "${var.name_prefix}-cortex-${count.index}"
  image      = var.images["cortex"]
  entrypoint = ["/bin/sh"]
  command    = [local.start_script]
  init       = true
  restart    = "unless-stopped"

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["cortex"]
  }

  upload {
    file       = local.start_script
    content    = local.start_scripts["cortex"]
    executable = true
  }

  labels {
    label = "build-images.role"
    value = "cortex"
  }

  depends_on = [docker_container.consul]
}

# The gateway in front of Cortex, with prometheus-nginxlog-exporter on 4040. The alias "nginx" is
# where the monitoring image remote-writes and queries Cortex.
resource "docker_container" "nginx" {
  name       = "${var.name_prefix}-nginx"
  hostname   = "${var.name_prefix}-nginx"
  image      = var.images["nginx"]
  entrypoint = ["/bin/sh"]
  command    = [local.start_script]
  init       = true
  restart    = "unless-stopped"

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["nginx", "gateway"]
  }

  ports {
    internal = 80
    external = var.gateway_port
    ip       = "127.0.0.1"
  }

  upload {
    file       = local.start_script
    content    = local.start_scripts["nginx"]
    executable = true
  }

  labels {
    label = "build-images.role"
    value = "nginx"
  }

  depends_on = [docker_container.cortex]
}

# Prometheus (scrapes every service registered in Consul, remote-writes to Cortex through the
# gateway) and Grafana (Prometheus and Cortex data sources); both configured by the image.
resource "docker_container" "monitoring" {
  name       = "${var.name_prefix}-monitoring"
  hostname   = "${var.name_prefix}-monitoring"
  image      = var.images["monitoring"]
  entrypoint = ["/bin/sh"]
  command    = [local.start_script]
  init       = true
  restart    = "unless-stopped"

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["monitoring"]
  }

  ports {
    internal = 3000
    external = var.grafana_port
    ip       = "127.0.0.1"
  }

  upload {
    file       = local.start_script
    content    = local.start_scripts["monitoring"]
    executable = true
  }

  labels {
    label = "build-images.role"
    value = "monitoring"
  }

  depends_on = [docker_container.nginx]
}
