output "processes" {
  description = "Processes of each role (consul, cortex, nginx, monitoring) in start order, the main one last: name, user, command, and the unit a Debian package already provides (empty if none)."
  value       = local.processes
}
