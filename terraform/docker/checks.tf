# Checks on the inputs that need more than one variable. Self-contained (variables only, and the
# provider-less terraform_data): tests/terraform-tfvars.test.ts plans this file with variables.tf
# alone to check a tfvars file exactly as this root would, offline (there is no docker provider
# on our machines).
resource "terraform_data" "ports" {
  input = [var.gateway_port, var.grafana_port, var.consul_ui_port]

  lifecycle {
    precondition {
      condition     = length(distinct([var.gateway_port, var.grafana_port, var.consul_ui_port])) == 3
      error_message = "gateway_port, grafana_port and consul_ui_port must be three different ports."
    }
  }
}
