terraform {
  # 1.5.7: the oldest release this root is written for (optional() attributes need 1.3, check
  # blocks 1.5); the same floor as terraform/aws. Any 1.x after it works.
  required_version = ">= 1.5.7, < 2.0.0"

  required_providers {
    docker = {
      source = "kreuzwerker/docker"
      # 3.6.x releases are published (release PRs kreuzwerker/terraform-provider-docker#743, #750);
      # every argument used here (env, upload, networks_advanced, ports.ip, destroy_grace_seconds)
      # is in the 3.x docker_container schema. 4.x exists but has not been reviewed for this root.
      version = "~> 3.6"
    }
  }
}

provider "docker" {
  host = var.docker_host
}
