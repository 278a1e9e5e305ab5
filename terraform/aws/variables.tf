variable "amis" {
  description = "AMI IDs by image name and region, as the build writes them to images.auto.tfvars.json (`build-images build --target ami`)."
  type        = map(map(string))

  validation {
    # Keep in step with the var.amis["…"] references in main.tf.
    condition     = alltrue([for name in ["consul", "cortex", "nginx", "monitoring"] : contains(keys(var.amis), name)])
    error_message = "amis must hold AMIs for each of consul, cortex, nginx and monitoring: run the AMI build first, it writes images.auto.tfvars.json."
  }

  validation {
    condition     = alltrue(flatten([for by_region in values(var.amis) : [for id in values(by_region) : can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", id))]]))
    error_message = "Every AMI must be an AMI ID (ami- and 8 or 17 hex digits)."
  }
}

variable "region" {
  description = "AWS region to deploy to; images.auto.tfvars.json must hold an AMI of every role there."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "name" {
  description = "Name of the cluster: prefixes every resource and is the Consul auto-join tag value."
  type        = string
  default     = "cortex"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.name))
    error_message = "name must be 1 to 12 lowercase letters, digits or dashes, starting with a letter (it prefixes load balancer and target group names)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_cidr" {
  description = "CIDR block of the cluster's VPC (/16 to /22)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    # try(): Terraform evaluates both sides of && (no short-circuit), so without it a value that is
    # not a CIDR block fails with "Invalid index" instead of this message.
    condition     = try(cidrnetmask(var.vpc_cidr) != "" && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 22, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /22, e.g. 10.40.0.0/16."
  }
}

variable "az_count" {
  description = "Availability zones to spread the cluster over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4 && floor(var.az_count) == var.az_count
    error_message = "az_count must be 2, 3 or 4."
  }
}

variable "gateway_cidrs" {
  description = "Who may use the gateway (Prometheus remote_write, queries): IPv4 CIDR blocks."
  type        = list(string)

  validation {
    condition     = length(var.gateway_cidrs) >= 1 && alltrue([for c in var.gateway_cidrs : can(cidrnetmask(c))])
    error_message = "gateway_cidrs must hold at least one IPv4 CIDR block, e.g. [\"203.0.113.0/24\"]."
  }
}

variable "admin_cidrs" {
  description = "Who may open Grafana and the Consul UI: IPv4 CIDR blocks covering no more than a /8 in all (never 0.0.0.0/0, nor the internet in pieces)."
  type        = list(string)

  validation {
    # The total, not each block: ["0.0.0.0/1", "128.0.0.0/1"] is the whole internet too.
    condition = length(var.admin_cidrs) >= 1 && try(
      alltrue([for c in var.admin_cidrs : cidrnetmask(c) != ""]) &&
      sum([for c in var.admin_cidrs : pow(2, 32 - tonumber(split("/", c)[1]))]) <= pow(2, 24),
      false
    )
    error_message = "admin_cidrs must hold at least one IPv4 CIDR block, covering no more than a /8 (16777216 addresses) in all, e.g. [\"203.0.113.7/32\"]: Grafana and the Consul UI are not for the whole internet."
  }
}

variable "certificate_arn" {
  description = "ACM certificate for the load balancer; without one the listeners speak plain HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "instance_types" {
  description = "EC2 instance type of each role."
  type = object({
    consul     = optional(string, "t3.small")
    cortex     = optional(string, "m6i.large")
    nginx      = optional(string, "t3.small")
    monitoring = optional(string, "t3.medium")
  })
  default = {}

  validation {
    condition     = alltrue([for t in values(var.instance_types) : can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.(nano|micro|small|medium|large|[0-9]*xlarge|metal(-[0-9]+xl)?)$", t))])
    error_message = "Every instance type must be an EC2 instance type such as t3.small or m6i.large."
  }
}

variable "consul_servers" {
  description = "Consul servers (raft peers), odd so a quorum survives losing a minority."
  type        = number
  default     = 3

  validation {
    condition     = contains([3, 5], var.consul_servers)
    error_message = "consul_servers must be 3 or 5."
  }
}

variable "cortex_size" {
  description = "Cortex replicas: fewest, most and desired."
  type = object({
    min     = number
    max     = number
    desired = number
  })
  default = { min = 3, max = 6, desired = 3 }

  validation {
    condition     = var.cortex_size.min >= 1 && var.cortex_size.min <= var.cortex_size.desired && var.cortex_size.desired <= var.cortex_size.max && var.cortex_size.max <= 30
    error_message = "cortex_size must satisfy 1 <= min <= desired <= max <= 30."
  }
}

variable "nginx_size" {
  description = "Gateway instances: fewest and most; in between, target tracking keeps their average CPU at target_cpu percent (nginx is stateless)."
  type = object({
    min        = number
    max        = number
    target_cpu = optional(number, 60)
  })
  default = { min = 2, max = 6 }

  validation {
    condition     = var.nginx_size.min >= 1 && var.nginx_size.min <= var.nginx_size.max && var.nginx_size.max <= 20 && var.nginx_size.target_cpu >= 10 && var.nginx_size.target_cpu <= 90
    error_message = "nginx_size must satisfy 1 <= min <= max <= 20, with target_cpu from 10 to 90 (percent)."
  }
}

variable "cortex_bucket_name" {
  description = "S3 bucket for Cortex's blocks storage; null names it <name>-cortex-blocks-<account id>."
  type        = string
  default     = null

  validation {
    # S3's rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an
    # IP address, none of the reserved prefixes and suffixes.
    condition = var.cortex_bucket_name == null || (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.cortex_bucket_name)) &&
      !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$|^xn--|^sthree-|^amzn-s3-demo-|-s3alias$|--ol-s3$|\\.mrap$|--x-s3$|--table-s3$", var.cortex_bucket_name))
    )
    error_message = "cortex_bucket_name must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit, with no \"..\", not an IP address and without S3's reserved prefixes (xn--, sthree-) and suffixes (-s3alias, --ol-s3)."
  }
}

variable "cortex_ruler_bucket_name" {
  description = "S3 bucket for Cortex's rule groups and Alertmanager configurations (a bucket of its own: the compactor takes every top-level entry of the blocks bucket for a tenant); null names it <name>-cortex-ruler-<account id>."
  type        = string
  default     = null

  validation {
    # S3's rules: 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an
    # IP address, none of the reserved prefixes and suffixes.
    condition = var.cortex_ruler_bucket_name == null || (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.cortex_ruler_bucket_name)) &&
      !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$|^xn--|^sthree-|^amzn-s3-demo-|-s3alias$|--ol-s3$|\\.mrap$|--x-s3$|--table-s3$", var.cortex_ruler_bucket_name))
    )
    error_message = "cortex_ruler_bucket_name must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or dashes, starting and ending with a letter or digit, with no \"..\", not an IP address and without S3's reserved prefixes (xn--, sthree-) and suffixes (-s3alias, --ol-s3)."
  }
}

variable "cortex_bucket_force_destroy" {
  description = "Let `terraform destroy` delete the Cortex bucket with its blocks in it."
  type        = bool
  default     = false
}

variable "enable_ssm" {
  description = "Attach AmazonSSMManagedInstanceCore so instances whose AMI has the SSM agent can be reached with Session Manager (no SSH, no open port)."
  type        = bool
  default     = true
}

variable "ebs_kms_key_id" {
  description = "KMS key (ID or ARN) that encrypts the instances' volumes; null uses the account's default EBS key (aws/ebs)."
  type        = string
  default     = null

  validation {
    condition     = var.ebs_kms_key_id == null || can(regex("^(arn:aws[a-z-]*:kms:|alias/|[0-9a-f-]{36}$)", var.ebs_kms_key_id))
    error_message = "ebs_kms_key_id must be a KMS key ID, key ARN or alias."
  }
}

variable "noncurrent_version_days" {
  description = "Days S3 keeps an overwritten or deleted object version of the Cortex buckets (they are versioned) before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1 && var.noncurrent_version_days <= 3650 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days must be a whole number from 1 to 3650."
  }
}
