variable "images" {
  description = "Docker image IDs (or, with targets.docker.registry, digest-pinned references) by image name, as the build writes them to images.auto.tfvars.json (`build-images build --target docker`)."
  type        = map(string)

  validation {
    # Keep in step with the var.images["…"] references in main.tf.
    condition     = alltrue([for name in ["consul", "cortex", "nginx", "monitoring"] : contains(keys(var.images), name)])
    error_message = "images must hold an ID for each of consul, cortex, nginx and monitoring: run the Docker build first, it writes images.auto.tfvars.json."
  }

  # A local build hands over image IDs; one with targets.docker.registry hands over digest-pinned
  # references (<registry>/<image>@sha256:...), which the provider pulls on the host it deploys to.
  validation {
    condition     = alltrue([for id in values(var.images) : can(regex("^(sha256:[0-9a-f]{64}|[^@[:space:]]+@sha256:[0-9a-f]{64})$", id))])
    error_message = "Every image must be a full image ID (sha256:<64 hex digits>) or a digest-pinned reference (<registry>/<image>@sha256:<64 hex digits>), not a tag: containers are pinned to the exact image a build produced."
  }
}

variable "docker_host" {
  description = "Docker daemon the containers run on."
  type        = string
  default     = "unix:///var/run/docker.sock"
}

variable "name_prefix" {
  description = "Prefix of the network and container names."
  type        = string
  default     = "cortex"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 20 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "consul_servers" {
  description = "Consul servers (raft peers). Odd, so that a quorum survives losing a minority."
  type        = number
  default     = 3

  validation {
    condition     = contains([1, 3, 5], var.consul_servers)
    error_message = "consul_servers must be 1, 3 or 5."
  }
}

variable "cortex_replicas" {
  description = "Cortex single-process replicas sharing one hash ring in Consul."
  type        = number
  default     = 3

  validation {
    condition     = var.cortex_replicas >= 1 && var.cortex_replicas <= 9 && floor(var.cortex_replicas) == var.cortex_replicas
    error_message = "cortex_replicas must be a whole number from 1 to 9."
  }
}

variable "gateway_port" {
  description = "Port on 127.0.0.1 for the nginx gateway in front of Cortex."
  type        = number
  default     = 8080

  validation {
    condition     = var.gateway_port >= 1024 && var.gateway_port <= 65535
    error_message = "gateway_port must be an unprivileged port (1024-65535)."
  }
}

variable "grafana_port" {
  description = "Port on 127.0.0.1 for Grafana."
  type        = number
  default     = 3000

  validation {
    condition     = var.grafana_port >= 1024 && var.grafana_port <= 65535
    error_message = "grafana_port must be an unprivileged port (1024-65535)."
  }
}

variable "consul_ui_port" {
  description = "Port on 127.0.0.1 for the Consul UI and HTTP API (of the first server)."
  type        = number
  default     = 8500

  validation {
    condition     = var.consul_ui_port >= 1024 && var.consul_ui_port <= 65535
    error_message = "consul_ui_port must be an unprivileged port (1024-65535)."
  }
}
