# A local Cortex cluster from the images the Docker build produced.
#
# Containers are pinned to image IDs (var.images, from images.auto.tfvars.json). `image` forces
# replacement in the docker provider, so after a rebuild `terraform apply` replaces exactly the
# containers whose image ID changed and leaves the others running.
#
# Every container runs its image's own entrypoint: tini (PID 1) starts /usr/local/bin/image-start,
# which runs node_exporter, the Consul agent and the image's services from /etc/image-start.d/,
# exits when a main service exits (so `restart` applies) and stops every service on SIGTERM within
# 8 s (IMAGE_START_STOP_TIMEOUT), inside the 10 s that `destroy_grace_seconds` gives it.
#
# Network aliases are the names the images are built with: "consul" (CONSUL_RETRY_JOIN), "cortex"
# (the gateway's CORTEX_UPSTREAM) and "nginx" (PROMETHEUS_REMOTE_WRITE_URL, GRAFANA_CORTEX_URL).

resource "docker_network" "cluster" {
  name   = var.name_prefix
  driver = "bridge"

  depends_on = [terraform_data.ports]
}

# Cortex's object storage, shared by every replica: blocks, the ruler's rule groups and
# Alertmanager's configurations (the cortex image's filesystem backend keeps them in three
# directories under /var/lib/cortex/storage). Without it each replica would see only the blocks
# it uploaded itself, and rules would be lost with the container. Docker fills a new named volume
# with the image's directory (owned by the cortex user) on first mount. It outlives `apply`s
# that replace containers; `terraform destroy` removes it with the data.
resource "docker_volume" "cortex_storage" {
  name = "${var.name_prefix}-cortex-storage"

  labels {
    label = "build-images.role"
    value = "cortex"
  }
}

# Consul servers: the service catalog and Cortex's hash ring. The host name is the Consul node name.
resource "docker_container" "consul" {
  count = var.consul_servers

  name                  = local.consul_server_names[count.index]
  hostname              = local.consul_server_names[count.index]
  image                 = var.images["consul"]
  restart               = "unless-stopped"
  destroy_grace_seconds = 10

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

  # bootstrap_expect = var.consul_servers (see locals.tf): a setting file, not a start command.
  upload {
    file    = local.consul_server_config.file
    content = local.consul_server_config.content
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

  name                  = "${var.name_prefix}-cortex-${count.index}"
  hostname              = "${var.name_prefix}-cortex-${count.index}"
  image                 = var.images["cortex"]
  restart               = "unless-stopped"
  destroy_grace_seconds = 10

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["cortex"]
  }

  volumes {
    volume_name    = docker_volume.cortex_storage.name
    container_path = local.cortex_storage_dir
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
  name                  = "${var.name_prefix}-nginx"
  hostname              = "${var.name_prefix}-nginx"
  image                 = var.images["nginx"]
  restart               = "unless-stopped"
  destroy_grace_seconds = 10

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["nginx", "gateway"]
  }

  ports {
    internal = 80
    external = var.gateway_port
    ip       = "127.0.0.1"
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
  name                  = "${var.name_prefix}-monitoring"
  hostname              = "${var.name_prefix}-monitoring"
  image                 = var.images["monitoring"]
  restart               = "unless-stopped"
  destroy_grace_seconds = 10

  # Grafana reads GF_<SECTION>_<KEY> variables when it starts (its own override of grafana.ini),
  # and image-start passes the container's environment on: the address Grafana is opened at,
  # for the links it makes.
  env = ["GF_SERVER_ROOT_URL=http://127.0.0.1:${var.grafana_port}/"]

  networks_advanced {
    name    = docker_network.cluster.id
    aliases = ["monitoring"]
  }

  ports {
    internal = 3000
    external = var.grafana_port
    ip       = "127.0.0.1"
  }

  labels {
    label = "build-images.role"
    value = "monitoring"
  }

  depends_on = [docker_container.nginx]
}
