output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.this["alb"].id
}

output "node_security_group_id" {
  description = "Security group every instance carries (Consul gossip, node_exporter, egress)."
  value       = aws_security_group.this["node"].id
}

output "role_security_group_ids" {
  description = "Security group of each role: consul, cortex, nginx, monitoring."
  value       = { for role in ["consul", "cortex", "nginx", "monitoring"] : role => aws_security_group.this[role].id }
}

output "rules_between_groups" {
  description = "Ingress rules whose source is another group, by rule name."
  value       = aws_vpc_security_group_ingress_rule.between_groups
}
