variable "bucket_name" {
  description = "Name of the S3 bucket (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, dots or dashes."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with the objects still in it."
  type        = bool
  default     = false
}
