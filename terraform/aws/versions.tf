terraform {
  # 1.5.7: the oldest release this root is written for (optional() attributes need 1.3,
  # terraform_data 1.4); also the floor terraform-aws-modules set with AWS provider 6.
  required_version = ">= 1.5.7, < 2.0.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.0.0 is published (see the provider's version-6 upgrade guide); nothing used here is
      # among the 6.0 removals. Modules accept any 6.x; this root pins the major.
      version = "~> 6.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "build-images:cluster" = var.name })
  }
}
