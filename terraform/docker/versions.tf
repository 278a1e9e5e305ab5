terraform {
  # 1.5.7: the same floor as terraform/aws (terraform_data needs 1.4; kreuzwerker/docker 4.x needs
  # 1.1.5). Any 1.x after it works.
  required_version = ">= 1.5.7, < 2.0.0"

  required_providers {
    docker = {
      source = "kreuzwerker/docker"
      # 3.6 and later 3.x, and 4.x, the current major (v4.0.0 to v4.5.0 released). What 4.0 changed
      # (kreuzwerker/terraform-provider-docker docs/v3_v4_migration.md, CHANGELOG.md): Terraform
      # >= 1.1.5; docker_network loses `check_duplicate` (not used here); docker_container restarts
      # a stopped container on apply instead of deleting it on plan, and no longer replaces one
      # for its ports; docker_image builds with buildx (no docker_image here). Every argument used
      # here (env, upload, networks_advanced.aliases, ports.ip, volumes.volume_name, labels,
      # destroy_grace_seconds; docker_volume.name) is in both majors' schemas
      # (internal/provider/resource_docker_container.go, resource_docker_volume.go). Not applied
      # here: there is no docker provider on our machines (tests/terraform-roots.test.ts parses).
      version = ">= 3.6.0, < 5.0.0"
    }
  }
}

provider "docker" {
  host = var.docker_host
}
