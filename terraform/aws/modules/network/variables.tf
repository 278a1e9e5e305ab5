variable "name" {
  description = "Name prefix of the VPC and its parts."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,23}$", var.name))
    error_message = "name must be 1 to 24 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "Region of the VPC (for the S3 gateway endpoint's service name)."
  type        = string
}

variable "cidr" {
  description = "CIDR block of the VPC, /16 to /22: it is cut into eight public and eight private subnets."
  type        = string

  validation {
    # try(): && does not short-circuit, so a value that is not a CIDR block would fail with
    # "Invalid index" instead of this message.
    condition     = try(cidrnetmask(var.cidr) != "" && tonumber(split("/", var.cidr)[1]) >= 16 && tonumber(split("/", var.cidr)[1]) <= 22, false)
    error_message = "cidr must be an IPv4 CIDR block from /16 to /22, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Availability zones to spread subnets over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count must be 2, 3 or 4: a load balancer needs subnets in at least two zones."
  }
}
