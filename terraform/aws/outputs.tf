output "gateway_url" {
  description = "The nginx gateway in front of Cortex, through the load balancer."
  value       = "${module.alb.scheme}://${module.alb.dns_name}${local.listener_ports.gateway == 80 || local.listener_ports.gateway == 443 ? "" : ":${local.listener_ports.gateway}"}"
}

output "cortex_push_url" {
  description = "Prometheus remote_write URL (through the gateway)."
  value       = "${module.alb.scheme}://${module.alb.dns_name}/api/v1/push"
}

output "grafana_url" {
  description = "Grafana (reachable from admin_cidrs)."
  value       = "${module.alb.scheme}://${module.alb.dns_name}:${local.listener_ports.grafana}"
}

output "consul_ui_url" {
  description = "The Consul UI (reachable from admin_cidrs)."
  value       = "${module.alb.scheme}://${module.alb.dns_name}:${local.listener_ports.consul}/ui/"
}

output "cortex_bucket" {
  description = "S3 bucket of Cortex's blocks storage."
  value       = module.cortex_storage.bucket
}

output "autoscaling_groups" {
  description = "Auto scaling group of each role (watch a rollout with `aws autoscaling describe-instance-refreshes`)."
  value = {
    consul     = module.consul.autoscaling_group_name
    cortex     = module.cortex.autoscaling_group_name
    nginx      = module.nginx.autoscaling_group_name
    monitoring = module.monitoring.autoscaling_group_name
  }
}

output "amis" {
  description = "AMI each role runs in this region."
  value       = terraform_data.amis_in_region.output
}

output "cortex_ruler_bucket" {
  description = "S3 bucket of Cortex's rule groups and Alertmanager configurations."
  value       = module.cortex_ruler_storage.bucket
}

output "cortex_build_variables" {
  description = "Provisioner variables to build the cortex AMI with, so Cortex stores blocks, rules and Alertmanager configurations in this root's buckets (`build-images --var KEY=VALUE`)."
  value = {
    CORTEX_STORAGE_BACKEND = "s3"
    CORTEX_S3_BUCKET       = module.cortex_storage.bucket
    CORTEX_S3_RULER_BUCKET = module.cortex_ruler_storage.bucket
    CORTEX_S3_REGION       = var.region
  }
}

output "vpc_id" {
  description = "VPC of the cluster."
  value       = module.network.vpc_id
}
