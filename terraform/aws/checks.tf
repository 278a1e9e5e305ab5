# Checks on the inputs that need more than one variable. Self-contained (variables only, and the
# provider-less terraform_data): tests/terraform-tfvars.test.ts plans this file with variables.tf
# alone to check a tfvars file exactly as this root would, offline.

locals {
  roles = ["consul", "cortex", "nginx", "monitoring"]
}

# The AMI of each role in var.region. Every role module takes its AMI from this resource's output,
# so when a role has no AMI there the plan stops at this one message, before anything that needs it.
resource "terraform_data" "amis_in_region" {
  input = { for role in local.roles : role => lookup(var.amis[role], var.region, null) }

  lifecycle {
    precondition {
      condition     = alltrue([for role in local.roles : contains(keys(var.amis[role]), var.region)])
      error_message = "images.auto.tfvars.json has no AMI in ${var.region} for: ${join(", ", [for role in local.roles : role if !contains(keys(var.amis[role]), var.region)])}. Build the AMIs in this region or deploy to one they were built in."
    }
  }
}
