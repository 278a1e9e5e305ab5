# A Cortex cluster on AWS from the AMIs the build produced (var.amis, from images.auto.tfvars.json).
#
# Every role is an auto scaling group behind a launch template; a rebuild changes an AMI ID,
# which makes a new template version, which starts an instance refresh of that role only.

data "aws_caller_identity" "current" {}

locals {
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

  cortex_bucket_name       = coalesce(var.cortex_bucket_name, "${var.name}-cortex-blocks-${data.aws_caller_identity.current.account_id}")
  cortex_ruler_bucket_name = coalesce(var.cortex_ruler_bucket_name, "${var.name}-cortex-ruler-${data.aws_caller_identity.current.account_id}")

  # cloud-init user data: only what the AMIs leave to boot time (see the template).
  user_data = {
    for role in local.roles : role => templatefile("${path.module}/templates/cloud-config.yaml.tftpl", {
      role           = role
      consul_servers = var.consul_servers
    })
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
    # nginx answers /healthz itself (provisioners/nginx.sh); "/" is proxied to Cortex and answers
    # 502 while Cortex boots, which would make the group replace healthy gateways.
    gateway = { port = local.listener_ports.gateway, target_port = 80, health_check_path = "/healthz", health_check_matcher = "200" }
    grafana = { port = local.listener_ports.grafana, target_port = 3000, health_check_path = "/api/health" }
    consul  = { port = local.listener_ports.consul, target_port = 8500, health_check_path = "/v1/status/leader" }
  }
}

# Cortex's buckets: blocks, and (apart, since the compactor and store-gateway take every top-level
# entry of the blocks bucket for a tenant: cortexproject/cortex pkg/storage/tsdb/users_scanner.go)
# the ruler's rule groups and Alertmanager's configurations, so they survive instance refreshes
# and every replica sees the same ones. Cortex's storage settings are baked into the cortex AMI's
# /etc/cortex/cortex.yaml at build time, so Terraform cannot point Cortex at these buckets: build
# the cortex AMI with the variables the `cortex_build_variables` output lists.
module "cortex_storage" {
  source = "./modules/object-storage"

  bucket_name             = local.cortex_bucket_name
  force_destroy           = var.cortex_bucket_force_destroy
  noncurrent_version_days = var.noncurrent_version_days
}

module "cortex_ruler_storage" {
  source = "./modules/object-storage"

  bucket_name             = local.cortex_ruler_bucket_name
  force_destroy           = var.cortex_bucket_force_destroy
  noncurrent_version_days = var.noncurrent_version_days
}

# Consul's cloud auto-join lists instances by tag; EC2 does not scope DescribeInstances to resources.
data "aws_iam_policy_document" "consul_auto_join" {
  statement {
    sid       = "ConsulCloudAutoJoin"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }
}

# Cortex's storage: these two buckets and nothing else.
data "aws_iam_policy_document" "cortex_storage" {
  statement {
    sid       = "ListBuckets"
    actions   = ["s3:ListBucket"]
    resources = [module.cortex_storage.arn, module.cortex_ruler_storage.arn]
  }

  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${module.cortex_storage.arn}/*", "${module.cortex_ruler_storage.arn}/*"]
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
  ami_id                = terraform_data.amis_in_region.output["consul"]
  kms_key_id            = var.ebs_kms_key_id
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


}

module "cortex" {
  source = "./modules/role"

  name                  = "${var.name}-cortex"
  ami_id                = terraform_data.amis_in_region.output["cortex"]
  kms_key_id            = var.ebs_kms_key_id
  instance_type         = var.instance_types.cortex
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["cortex"]]
  instance_profile_name = module.instance_profile["cortex"].name
  user_data             = local.user_data["cortex"]
  tags                  = local.instance_tags

  min_size         = var.cortex_size.min
  max_size         = var.cortex_size.max
  desired_capacity = var.cortex_size.desired

  # A fixed size, not target tracking: every replica is also an ingester holding the newest series
  # in memory and its WAL, and scaling in on CPU would drop one without handing them over.
  # New replicas join the ring before old ones leave it: capacity never drops below desired.
  min_healthy_percentage = 100
  max_healthy_percentage = 150
  instance_warmup        = 300

  depends_on = [module.consul]
}

module "nginx" {
  source = "./modules/role"

  name                  = "${var.name}-nginx"
  ami_id                = terraform_data.amis_in_region.output["nginx"]
  kms_key_id            = var.ebs_kms_key_id
  instance_type         = var.instance_types.nginx
  subnet_ids            = module.network.private_subnet_ids
  security_group_ids    = [module.security_groups.node_security_group_id, module.security_groups.role_security_group_ids["nginx"]]
  instance_profile_name = module.instance_profile["nginx"].name
  user_data             = local.user_data["nginx"]
  tags                  = local.instance_tags

  # Stateless: target tracking on CPU between min and max (the group starts at min).
  min_size          = var.nginx_size.min
  max_size          = var.nginx_size.max
  target_cpu        = var.nginx_size.target_cpu
  target_group_arns = [module.alb.target_group_arns["gateway"]]
  health_check_type = "ELB"


}

module "monitoring" {
  source = "./modules/role"

  name                  = "${var.name}-monitoring"
  ami_id                = terraform_data.amis_in_region.output["monitoring"]
  kms_key_id            = var.ebs_kms_key_id
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


}
