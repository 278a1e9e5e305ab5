output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 zone of the load balancer, for an alias record."
  value       = aws_lb.this.zone_id
}

output "target_group_arns" {
  description = "Target group ARN by listener key."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "scheme" {
  description = "http or https, as the listeners speak."
  value       = var.certificate_arn == null ? "http" : "https"
}

output "target_groups" {
  description = "Target group of each listener, by listener name."
  value       = aws_lb_target_group.this
}
