variable "name" {
  description = "Name of the load balancer; target group names are derived from it."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,20}$", var.name))
    error_message = "name must be 1 to 21 letters, digits or dashes (AWS caps load balancer and target group names at 32)."
  }
}

variable "vpc_id" {
  description = "VPC of the target groups."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An application load balancer needs subnets in at least two availability zones."
  }
}

variable "security_group_ids" {
  description = "Security groups of the load balancer (who may connect, and to which targets it may forward)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate: when set, every listener speaks HTTPS instead of HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN, or null for plain HTTP."
  }
}

variable "listeners" {
  description = "One listener and target group each: key => {port, target_port, health_check_path, health_check_matcher}."
  type = map(object({
    port                 = number
    target_port          = number
    health_check_path    = string
    health_check_matcher = optional(string, "200")
  }))

  validation {
    condition     = alltrue([for l in values(var.listeners) : l.port >= 1 && l.port <= 65535 && l.target_port >= 1 && l.target_port <= 65535])
    error_message = "Listener and target ports must be from 1 to 65535."
  }

  validation {
    condition     = alltrue([for k in keys(var.listeners) : can(regex("^[a-z][a-z0-9-]{0,9}$", k))])
    error_message = "Listener keys must be 1 to 10 lowercase letters, digits or dashes (they end target group names)."
  }
}
