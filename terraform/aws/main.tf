# A Cortex cluster on AWS from the AMIs the build produced (var.amis, from images.auto.tfvars.json).
#
# Every role is an auto scaling group behind a launch template; a rebuild changes an AMI ID,
# which makes a new template version, which starts an instance refresh of that role only.

data "aws_caller_identity" "current" {}

locals {
  roles = ["consul", "cortex", "nginx", "monitoring"]

  # Consul cloud auto-join by tag. Every instance carries this tag; at each boot the AMIs'
  # consul-instance-config.service reads it through instance metadata (the launch templates allow
  # tags there) and writes retry_join = ["provider=aws region=<region> tag_key=<key>
  # tag_value=<value>"], so agents and servers find each other with no address in any image. The
  # key must be the one the AMIs read: CONSUL_JOIN_TAG_KEY, default build-images:consul-join
  # (provisioners/consul.sh, provisioners/lib/consul-instance-config).
  consul_join_tag = { key = "build-images:consul-join", value = var.name }
  instance_tags   = { (local.consul_join_tag.key) = local.consul_join_tag.value }

  listener_ports = {
    gateway = var.certificate_arn == null ? 80 : 443
    grafana = 3000
    consul  = 8500
  }

  cortex_bucket_name = coalesce(var.cortex_bucket_name, "${var.name}-cortex-blocks-${data.aws_caller_identity.current.account_id}")

  # cloud-init user data: only what the AMIs leave to boot time (see the template).
  user_data = {
    for role in local.roles : role => templatefile("${path.module}/templates/cloud-config.yaml.tftpl", {
      role           = role
      consul_servers = var.consul_servers
    })
  }
}

# Every role needs an AMI in the region deployed to; say so before anything is planned.
resource "terraform_data" "amis_in_region" {
  input = var.region

  lifecycle {
    precondition {
      condition     = alltrue([for role in local.roles : contains(keys(var.amis[role]), var.region)])
      error_message = "images.auto.tfvars.json has no AMI in ${var.region} for: ${join(", ", [for role in local.roles : role if !contains(keys(var.amis[role]), var.region)])}. Build the AMIs in this region or deploy to one they were built in."
    }
  }
}

module "network" {
  source = "./modules/network"

  name     = var.name
  region   = var.region
  cidr     = var.vpc_cidr
  az_count = var.az_count
}

module "security_groups" {
  source = "./modules/security-groups"

  name           = var.name
  vpc_id         = module.network.vpc_id
  vpc_cidr       = module.network.vpc_cidr
  gateway_cidrs  = var.gateway_cidrs
  admin_cidrs    = var.admin_cidrs
  listener_ports = local.listener_ports
}

module "alb" {
  source = "./modules/alb"

  name               = var.name
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.public_subnet_ids
  security_group_ids = [module.security_groups.alb_security_group_id]
  certificate_arn    = var.certificate_arn

  listeners = {
    # nginx answering at all means the gateway is up; Cortex's readiness is not the gateway's.
    gateway = { port = local.listener_ports.gateway, target_port = 80, health_check_path = "/", health_check_matcher = "200-499" }
    grafana = { port = local.listener_ports.grafana, target_port = 3000, health_check_path = "/api/health" }
    consul  = { port = local.listener_ports.consul, target_port = 8500, health_check_path = "/v1/status/leader" }
  }
}

# Cortex's blocks bucket. Cortex's storage settings are baked into the cortex AMI's
# /etc/cortex/cortex.yaml at build time (no unit reads them from anywhere else), so Terraform
# cannot point Cortex at this bucket: build the cortex AMI with CORTEX_STORAGE_BACKEND=s3,
# CORTEX_S3_BUCKET=<this bucket's name> and CORTEX_S3_REGION=<var.region> (terraform/README.md).
module "cortex_storage" {
  source = "./modules/object-storage"

  bucket_name   = local.cortex_bucket_name
  force_destroy = var.cortex_bucket_force_destroy
}

# Consul's cloud auto-join lists instances by tag; EC2 does not scope DescribeInstances to resources.
data "aws_iam_policy_document" "consul_auto_join" {
  statement {
    sid       = "ConsulCloudAutoJoin"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }
}

# Cortex's blocks storage: this bucket and nothing else.
data "aws_iam_policy_document" "cortex_storage" {
  statement {
    sid       = "ListBlocks"
    actions   = ["s3:ListBucket"]
    resources = [module.cortex_storage.arn]
  }

  statement {
    sid       = "ReadWriteBlocks"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${module.cortex_storage.arn}/*"]
  }
}

module "instance_profile" {
  source   = "./modules/instance-profile"
  for_each = toset(local.roles)

  name = "${var.name}-${each.key}"
  policies = merge(
    { consul-auto-join = data.aws_iam_policy_document.consul_auto_join.json },
    each.key == "cortex" ? { cortex-storage = data.aws_iam_policy_document.cortex_storage.json } : {}
  )
  managed_policy_arns = var.enable_ssm ? ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] : []
}

module "consul" {
  source = "./modules/role"

  name                  = "${var.name}-consul"
  ami_id                = lookup(var.amis["consul"], var.region, "")
  instance_type         = var.instance_types.consul
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["consul"]]
  instance_profile_name = module.instance_profile["consul"].name
  user_data             = local.user_data["consul"]
  tags                  = local.instance_tags

  min_size          = var.consul_servers
  max_size          = var.consul_servers
  desired_capacity  = var.consul_servers
  target_group_arns = [module.alb.target_group_arns["consul"]]

  # One server at a time, replaced after it is gone: the raft quorum never loses more than one peer.
  min_healthy_percentage = floor(100 * (var.consul_servers - 1) / var.consul_servers)
  max_healthy_percentage = 100
  instance_warmup        = 180

  depends_on = [terraform_data.amis_in_region]
}

module "cortex" {
  source = "./modules/role"

  name                  = "${var.name}-cortex"
  ami_id                = lookup(var.amis["cortex"], var.region, "")
  instance_type         = var.instance_types.cortex
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["cortex"]]
  instance_profile_name = module.instance_profile["cortex"].name
  user_data             = local.user_data["cortex"]
  tags                  = local.instance_tags

  min_size         = var.cortex_size.min
  max_size         = var.cortex_size.max
  desired_capacity = var.cortex_size.desired

  # New replicas join the ring before old ones leave it: capacity never drops below desired.
  min_healthy_percentage = 100
  max_healthy_percentage = 150
  instance_warmup        = 300

  depends_on = [terraform_data.amis_in_region, module.consul]
}

module "nginx" {
  source = "./modules/role"

  name                  = "${var.name}-nginx"
  ami_id                = lookup(var.amis["nginx"], var.region, "")
  instance_type         = var.instance_types.nginx
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["nginx"]]
  instance_profile_name = module.instance_profile["nginx"].name
  user_data             = local.user_data["nginx"]
  tags                  = local.instance_tags

  min_size          = var.nginx_size.min
  max_size          = var.nginx_size.max
  desired_capacity  = var.nginx_size.desired
  target_group_arns = [module.alb.target_group_arns["gateway"]]
  health_check_type = "ELB"

  depends_on = [terraform_data.amis_in_region]
}

module "monitoring" {
  source = "./modules/role"

  name                  = "${var.name}-monitoring"
  ami_id                = lookup(var.amis["monitoring"], var.region, "")
  instance_type         = var.instance_types.monitoring
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["monitoring"]]
  instance_profile_name = module.instance_profile["monitoring"].name
  user_data             = local.user_data["monitoring"]
  tags                  = local.instance_tags

  # Prometheus keeps local state: one instance; a refresh starts the new one before stopping the old.
  min_size          = 1
  max_size          = 2
  desired_capacity  = 1
  target_group_arns = [module.alb.target_group_arns["grafana"]]
  health_check_type = "ELB"

  depends_on = [terraform_data.amis_in_region]
}
