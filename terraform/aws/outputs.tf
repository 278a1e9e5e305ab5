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
  value       = { for role in local.roles : role => var.amis[role][var.region] }
}

output "vpc_id" {
  description = "VPC of the cluster."
  value       = module.network.vpc_id
}
