output "bucket" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "versioning" {
  description = "Versioning status of the bucket."
  value       = aws_s3_bucket_versioning.this.versioning_configuration[0].status
}

output "lifecycle_rules" {
  description = "The bucket's lifecycle rules."
  value       = aws_s3_bucket_lifecycle_configuration.this.rule
}
