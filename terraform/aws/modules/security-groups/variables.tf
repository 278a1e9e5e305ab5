variable "name" {
  description = "Name prefix of the security groups."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,23}$", var.name))
    error_message = "name must be 1 to 24 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the security groups."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC: instances may reach each other and the VPC resolver there."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "gateway_cidrs" {
  description = "Who may reach the gateway listener (remote_write and queries)."
  type        = list(string)

  validation {
    condition     = length(var.gateway_cidrs) >= 1 && alltrue([for c in var.gateway_cidrs : can(cidrnetmask(c))])
    error_message = "gateway_cidrs must hold at least one IPv4 CIDR block."
  }
}

variable "admin_cidrs" {
  description = "Who may reach Grafana and the Consul UI."
  type        = list(string)

  validation {
    # The total, not each block: ["0.0.0.0/1", "128.0.0.0/1"] is the whole internet too.
    condition = length(var.admin_cidrs) >= 1 && try(
      alltrue([for c in var.admin_cidrs : cidrnetmask(c) != ""]) &&
      sum([for c in var.admin_cidrs : pow(2, 32 - tonumber(split("/", c)[1]))]) <= pow(2, 24),
      false
    )
    error_message = "admin_cidrs must hold at least one IPv4 CIDR block, covering no more than a /8 in all: Grafana and the Consul UI are not for the whole internet."
  }
}

variable "listener_ports" {
  description = "Load balancer listener ports: gateway, grafana, consul."
  type = object({
    gateway = number
    grafana = number
    consul  = number
  })
}
