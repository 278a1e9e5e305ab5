variable "consul_server_args" {
  description = "Extra `consul agent` flags on consul servers (e.g. -bootstrap-expect=3); flags override the image's /etc/consul.d files."
  type        = list(string)
  default     = []
}

variable "consul_client_args" {
  description = "Extra `consul agent` flags on every other node."
  type        = list(string)
  default     = []
}

variable "cortex_args" {
  description = "Extra Cortex flags; they override /etc/cortex/cortex.yaml (e.g. -distributor.replication-factor=3)."
  type        = list(string)
  default     = []
}
