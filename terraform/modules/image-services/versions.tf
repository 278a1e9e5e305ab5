terraform {
  required_version = ">= 1.5.7, < 2.0.0"
}
