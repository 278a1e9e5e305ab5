# What the containers need beyond their images.
#
# The images start their own services (ENTRYPOINT tini -> /usr/local/bin/image-start, set in
# images.yaml), so no container overrides the entrypoint or the command. Their settings
# (provisioners/*.sh variables: CONSUL_RETRY_JOIN, CORTEX_*, NGINX_*, PROMETHEUS_*, GRAFANA_* ...)
# are written into configuration files when the image is built; none of them is read from the
# environment when a container starts, so Terraform cannot change them: rebuild the image with
# other values instead (images.yaml `variables`, or `build-images --var KEY=VALUE`).
locals {
  consul_server_names = [for i in range(var.consul_servers) : "${var.name_prefix}-consul-${i}"]

  # Where the cortex image keeps blocks, rules and Alertmanager configurations with its default
  # (filesystem) storage backend: CORTEX_STORAGE_DIR in provisioners/cortex.sh.
  cortex_storage_dir = "/var/lib/cortex/storage"

  # The one run-time setting this root needs: how many servers to wait for before electing a
  # leader. The consul image bakes CONSUL_BOOTSTRAP_EXPECT (default 1) into
  # /etc/consul.d/server.hcl; the agent reads every file of /etc/consul.d in lexical order, later
  # values winning, so this file (uploaded before the container starts) overrides it.
  consul_server_config = {
    file    = "/etc/consul.d/zz-terraform.hcl"
    content = <<-EOT
      # Written by terraform/docker: this cluster runs ${var.consul_servers} Consul server(s).
      bootstrap_expect = ${var.consul_servers}
    EOT
  }
}
