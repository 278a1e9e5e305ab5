output "autoscaling_group_name" {
  description = "Name of the auto scaling group."
  value       = aws_autoscaling_group.this.name
}

output "launch_template_id" {
  description = "ID of the launch template."
  value       = aws_launch_template.this.id
}

output "launch_template_version" {
  description = "Template version the group runs; it changes with every new AMI."
  value       = aws_launch_template.this.latest_version
}

output "launch_template" {
  description = "The launch template (for tests and callers that inspect it)."
  value       = aws_launch_template.this
}

output "autoscaling_group" {
  description = "The auto scaling group (for tests and callers that inspect it)."
  value       = aws_autoscaling_group.this
}

output "scaling_policy" {
  description = "The target-tracking scaling policy, or null for a fixed-size group."
  value       = one(aws_autoscaling_policy.cpu)
}
