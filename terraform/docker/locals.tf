# How each container starts.
#
# The images do not define entrypoints yet, so every container runs a start script (uploaded
# before it starts, from start.sh.tftpl) that launches the role's processes: the commands come
# from ../modules/image-services (shared with terraform/aws), the Docker-specific flags are here.
# When the images gain entrypoints, this file and that module are the places to change.
locals {
  start_script = "/etc/build-images/start.sh"

  consul_server_names = [for i in range(var.consul_servers) : "${var.name_prefix}-consul-${i}"]

  # Agents bind to the container's interface on the shared network (what CONSUL_BIND_INTERFACE=eth0
  # does in the upstream consul image) and join the servers by container name. The images'
  # consul.hcl already joins "consul", the servers' network alias.
  consul_join = concat(["-bind='{{ GetInterfaceIP \"eth0\" }}'"], [for name in local.consul_server_names : "-retry-join=${name}"])

  # Command-line flags win over the image's server.hcl, which expects a single server.
  consul_server_args = concat(local.consul_join, ["-bootstrap-expect=${var.consul_servers}"])

  # Replicate every series to up to three ingesters (the image's cortex.yaml says one).
  cortex_args = ["-distributor.replication-factor=${min(3, var.cortex_replicas)}"]

  roles = ["consul", "cortex", "nginx", "monitoring"]

  start_scripts = {
    for role in local.roles : role => templatefile("${path.module}/start.sh.tftpl", {
      role      = role
      processes = module.services.processes[role]
    })
  }
}

module "services" {
  source = "../modules/image-services"

  consul_server_args = local.consul_server_args
  consul_client_args = local.consul_join
  cortex_args        = local.cortex_args
}
