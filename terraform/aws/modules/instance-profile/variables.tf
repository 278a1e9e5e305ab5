variable "name" {
  description = "Name of the IAM role and instance profile."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 characters of A-Z, a-z, 0-9 or +=,.@_- (IAM role names)."
  }
}

variable "policies" {
  description = "Inline policies of the role: policy name => JSON policy document."
  type        = map(string)
  default     = {}
}

variable "managed_policy_arns" {
  description = "Managed policies to attach, e.g. arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", arn))])
    error_message = "managed_policy_arns must hold IAM policy ARNs."
  }
}
