variable "name" {
  description = "Name of the launch template and auto scaling group, e.g. cortex-cortex."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,47}$", var.name))
    error_message = "name must be 1 to 48 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "ami_id" {
  description = "AMI the instances boot, from the build's images.auto.tfvars.json (var.amis[<image>][<region>] in the root)."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", var.ami_id))
    error_message = "ami_id must be an AMI ID (ami-…). Is there an AMI for this image in the selected region in images.auto.tfvars.json?"
  }
}

variable "instance_type" {
  description = "EC2 instance type, e.g. t3.small."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\\.(nano|micro|small|medium|large|[0-9]*xlarge|metal(-[0-9]+xl)?)$", var.instance_type))
    error_message = "instance_type must be an EC2 instance type such as t3.small or m6i.large."
  }
}

variable "subnet_ids" {
  description = "Subnets the group launches instances into (private, one per availability zone)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "security_group_ids" {
  description = "Security groups of the instances."
  type        = list(string)
}

variable "instance_profile_name" {
  description = "IAM instance profile of the instances."
  type        = string
}

variable "user_data" {
  description = "Boot script (plain text; encoded here)."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags of the instances and their volumes (the Consul auto-join tag among them)."
  type        = map(string)
  default     = {}

  validation {
    # With tags in instance metadata (metadata_options), EC2 refuses to launch an instance whose
    # tag keys hold anything else.
    condition     = alltrue([for key in keys(var.tags) : can(regex("^[A-Za-z0-9+=.,_:@-]+$", key)) && !contains([".", "..", "_index"], key)])
    error_message = "Instance tag keys may only hold letters, digits and + - = . , _ : @ (no spaces or /), and may not be \".\", \"..\" or \"_index\": the instances allow tags in instance metadata."
  }
}

variable "min_size" {
  description = "Fewest instances."
  type        = number

  validation {
    condition     = var.min_size >= 0 && var.min_size <= 100 && floor(var.min_size) == var.min_size
    error_message = "min_size must be a whole number from 0 to 100."
  }
}

variable "max_size" {
  description = "Most instances (instance refresh may launch above desired capacity up to max_healthy_percentage)."
  type        = number

  validation {
    condition     = var.max_size >= 1 && var.max_size <= 100 && floor(var.max_size) == var.max_size
    error_message = "max_size must be a whole number from 1 to 100."
  }
}

variable "desired_capacity" {
  description = "Instances to run; null with target_cpu (the scaling policy decides)."
  type        = number
  default     = null

  validation {
    condition     = var.desired_capacity == null || try(var.desired_capacity >= 0 && var.desired_capacity <= 100 && floor(var.desired_capacity) == var.desired_capacity, false)
    error_message = "desired_capacity must be a whole number from 0 to 100."
  }
}

variable "target_group_arns" {
  description = "Load balancer target groups the instances register with."
  type        = list(string)
  default     = []
}

variable "health_check_type" {
  description = "EC2, or ELB to also replace instances their target groups find unhealthy."
  type        = string
  default     = "EC2"

  validation {
    condition     = contains(["EC2", "ELB"], var.health_check_type)
    error_message = "health_check_type must be EC2 or ELB."
  }
}

variable "health_check_grace_period" {
  description = "Seconds after launch before health checks count."
  type        = number
  default     = 300

  validation {
    condition     = var.health_check_grace_period >= 0 && var.health_check_grace_period <= 7200
    error_message = "health_check_grace_period must be from 0 to 7200 seconds."
  }
}

variable "min_healthy_percentage" {
  description = "Instance refresh: capacity that stays in service while instances are replaced. 100 with max_healthy_percentage 200 launches replacements before terminating (no capacity dip)."
  type        = number
  default     = 100

  validation {
    condition     = var.min_healthy_percentage >= 0 && var.min_healthy_percentage <= 100
    error_message = "min_healthy_percentage must be from 0 to 100."
  }
}

variable "max_healthy_percentage" {
  description = "Instance refresh: capacity that may be in service or pending, as a percentage of desired capacity."
  type        = number
  default     = 200

  validation {
    condition     = var.max_healthy_percentage >= 100 && var.max_healthy_percentage <= 200
    error_message = "max_healthy_percentage must be from 100 to 200."
  }
}

variable "instance_warmup" {
  description = "Instance refresh: seconds a new instance needs before it counts as healthy capacity."
  type        = number
  default     = 120

  validation {
    condition     = var.instance_warmup >= 0 && var.instance_warmup <= 3600
    error_message = "instance_warmup must be from 0 to 3600 seconds."
  }
}

variable "target_cpu" {
  description = "Average CPU percentage a target-tracking policy keeps the group at, between min_size and max_size; null for a fixed size (stateful roles)."
  type        = number
  default     = null

  validation {
    condition     = var.target_cpu == null || try(var.target_cpu >= 10 && var.target_cpu <= 90, false)
    error_message = "target_cpu must be from 10 to 90 (percent)."
  }
}

variable "kms_key_id" {
  description = "KMS key that encrypts the root volume; null for the account's default EBS key."
  type        = string
  default     = null
}
