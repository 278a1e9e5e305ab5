output "gateway_url" {
  description = "The nginx gateway in front of Cortex."
  value       = "http://127.0.0.1:${var.gateway_port}"
}

output "cortex_push_url" {
  description = "Prometheus remote_write URL (through the gateway)."
  value       = "http://127.0.0.1:${var.gateway_port}/api/v1/push"
}

output "grafana_url" {
  description = "Grafana, with Prometheus and Cortex as data sources."
  value       = "http://127.0.0.1:${var.grafana_port}"
}

output "consul_ui_url" {
  description = "The Consul UI: services, nodes and Cortex's ring under Key/Value."
  value       = "http://127.0.0.1:${var.consul_ui_port}/ui/"
}

output "containers" {
  description = "Container names by role, for `docker logs` and `docker exec`."
  value = {
    consul     = docker_container.consul[*].name
    cortex     = docker_container.cortex[*].name
    nginx      = [docker_container.nginx.name]
    monitoring = [docker_container.monitoring.name]
  }
}
