terraform {
  # 1.5.7: the oldest release this root is written for (optional() attributes need 1.3,
  # terraform_data 1.4); also the floor terraform-aws-modules set with AWS provider 6.
  required_version = ">= 1.5.7, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100 (the last 5.x, the one our CI mirror holds) and any 6.x: nothing used here is among
      # the 6.0 removals (see the provider's version-6 upgrade guide). `terraform validate` and
      # `terraform test` run against 5.100 in CI; 6.x is admitted, not tested here.
      version = ">= 5.100, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "build-images:cluster" = var.name })
  }
}
