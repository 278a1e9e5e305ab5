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
