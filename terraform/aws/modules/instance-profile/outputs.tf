output "name" {
  description = "Name of the instance profile (for a launch template)."
  value       = aws_iam_instance_profile.this.name
}

output "arn" {
  description = "ARN of the instance profile."
  value       = aws_iam_instance_profile.this.arn
}

output "role_name" {
  description = "Name of the IAM role."
  value       = aws_iam_role.this.name
}
