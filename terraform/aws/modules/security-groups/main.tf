# Least-privilege security groups: one for the load balancer, one shared by every node (Consul
# gossip, node_exporter, egress), and one per role that opens only that role's ports, and only
# to the groups that use them.
#
#   internet ─► alb ─► nginx:80 ─► cortex:9009      every node ─► consul:8300 (RPC)
#   monitoring ─► nginx:80 (remote_write, queries)
#                  ├─► monitoring:3000               node ◄─► node :8301 (Serf LAN)
#                  └─► consul:8500 (UI)              monitoring ─► node:9100, cortex:9009, nginx:4040
#                                                    cortex ◄─► cortex:9095 (gRPC)
#                                                    consul ◄─► consul:8302 (Serf WAN)

locals {
  groups = toset(["alb", "node", "consul", "cortex", "nginx", "monitoring"])

  # key => rule. Sources are other groups, except the load balancer's public listeners.
  group_rules = {
    alb_to_nginx          = { group = "nginx", from = "alb", port = 80, protocol = "tcp", description = "gateway behind the load balancer" }
    alb_to_grafana        = { group = "monitoring", from = "alb", port = 3000, protocol = "tcp", description = "Grafana behind the load balancer" }
    alb_to_consul_ui      = { group = "consul", from = "alb", port = 8500, protocol = "tcp", description = "Consul UI behind the load balancer" }
    monitoring_to_gateway = { group = "nginx", from = "monitoring", port = 80, protocol = "tcp", description = "Prometheus remote_write and Grafana queries through the gateway" }
    nginx_to_cortex       = { group = "cortex", from = "nginx", port = 9009, protocol = "tcp", description = "gateway to Cortex HTTP" }
    scrape_cortex         = { group = "cortex", from = "monitoring", port = 9009, protocol = "tcp", description = "Prometheus scrapes Cortex" }
    cortex_grpc           = { group = "cortex", from = "cortex", port = 9095, protocol = "tcp", description = "Cortex gRPC between replicas (distributor to ingester)" }
    scrape_nginxlog       = { group = "nginx", from = "monitoring", port = 4040, protocol = "tcp", description = "Prometheus scrapes prometheus-nginxlog-exporter" }
    scrape_node_exporter  = { group = "node", from = "monitoring", port = 9100, protocol = "tcp", description = "Prometheus scrapes node_exporter" }
    consul_rpc            = { group = "consul", from = "node", port = 8300, protocol = "tcp", description = "Consul server RPC from every agent" }
    consul_serf_lan_tcp   = { group = "node", from = "node", port = 8301, protocol = "tcp", description = "Consul Serf LAN gossip" }
    consul_serf_lan_udp   = { group = "node", from = "node", port = 8301, protocol = "udp", description = "Consul Serf LAN gossip" }
    consul_serf_wan_tcp   = { group = "consul", from = "consul", port = 8302, protocol = "tcp", description = "Consul Serf WAN gossip between servers" }
    consul_serf_wan_udp   = { group = "consul", from = "consul", port = 8302, protocol = "udp", description = "Consul Serf WAN gossip between servers" }
  }

  cidr_rules = merge(
    { for c in var.gateway_cidrs : "gateway ${c}" => { port = var.listener_ports.gateway, cidr = c, description = "gateway" } },
    { for c in var.admin_cidrs : "grafana ${c}" => { port = var.listener_ports.grafana, cidr = c, description = "Grafana (admins)" } },
    { for c in var.admin_cidrs : "consul ${c}" => { port = var.listener_ports.consul, cidr = c, description = "Consul UI (admins)" } },
  )

  # The load balancer may only forward to the three targets behind it.
  alb_egress = {
    nginx      = { group = "nginx", port = 80 }
    monitoring = { group = "monitoring", port = 3000 }
    consul     = { group = "consul", port = 8500 }
  }
}

resource "aws_security_group" "this" {
  for_each = local.groups

  name        = "${var.name}-${each.key}"
  description = "${var.name} ${each.key}"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-${each.key}" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "between_groups" {
  for_each = local.group_rules

  security_group_id            = aws_security_group.this[each.value.group].id
  referenced_security_group_id = aws_security_group.this[each.value.from].id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = each.value.description
}

resource "aws_vpc_security_group_ingress_rule" "alb_listeners" {
  for_each = local.cidr_rules

  security_group_id = aws_security_group.this["alb"].id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  description       = each.value.description
}

resource "aws_vpc_security_group_egress_rule" "alb_to_targets" {
  for_each = local.alb_egress

  security_group_id            = aws_security_group.this["alb"].id
  referenced_security_group_id = aws_security_group.this[each.value.group].id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "to ${each.key}"
}

# Nodes talk to each other and to the VPC resolver inside the VPC, and to AWS APIs (EC2 for
# Consul's auto-join, S3 for Cortex) over HTTPS.
resource "aws_vpc_security_group_egress_rule" "node_in_vpc" {
  security_group_id = aws_security_group.this["node"].id
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "-1"
  description       = "anything inside the VPC (further limited by the receiving group)"
}

resource "aws_vpc_security_group_egress_rule" "node_https" {
  security_group_id = aws_security_group.this["node"].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "AWS APIs (EC2 auto-join, S3) over HTTPS"
}
