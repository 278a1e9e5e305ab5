# The root planned and applied offline against a mocked hashicorp/aws provider (Terraform >= 1.7):
# what these assertions prove is how the root wires its inputs into resources. Whether AWS accepts
# them (quotas, an AMI that really exists, a refresh that really rolls) only a real account shows.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  gateway_cidrs = ["203.0.113.0/24"]
  admin_cidrs   = ["203.0.113.7/32"]
  # The shape `build-images --target ami` writes: image -> region -> AMI (base too, unused here).
  amis = {
    base       = { eu-central-1 = "ami-00000000000000001", us-east-1 = "ami-10000000" }
    consul     = { eu-central-1 = "ami-00000000000000002", us-east-1 = "ami-20000000" }
    cortex     = { eu-central-1 = "ami-00000000000000003", us-east-1 = "ami-30000000" }
    nginx      = { eu-central-1 = "ami-00000000000000004", us-east-1 = "ami-40000000" }
    monitoring = { eu-central-1 = "ami-00000000000000005", us-east-1 = "ami-50000000" }
  }
}

run "cluster" {
  command = apply

  variables {
    region         = "us-east-1"
    consul_servers = 5
    cortex_size    = { min = 3, max = 6, desired = 4 }
  }

  assert {
    condition = alltrue([for role, m in { consul = module.consul, cortex = module.cortex, nginx = module.nginx, monitoring = module.monitoring } :
    m.launch_template.image_id == var.amis[role]["us-east-1"]])
    error_message = "Every role must boot its own image's AMI in the chosen region (us-east-1)."
  }

  assert {
    condition     = output.amis == { consul = "ami-20000000", cortex = "ami-30000000", nginx = "ami-40000000", monitoring = "ami-50000000" }
    error_message = "The amis output must list each role's AMI in the chosen region."
  }

  assert {
    condition = alltrue([for m in [module.consul, module.cortex, module.nginx, module.monitoring] :
      m.launch_template.metadata_options[0].http_tokens == "required" &&
      m.launch_template.metadata_options[0].http_put_response_hop_limit == 1 &&
    m.launch_template.metadata_options[0].instance_metadata_tags == "enabled"])
    error_message = "Every launch template must require IMDSv2 (one hop) and allow instance tags in metadata."
  }

  assert {
    condition = alltrue([for m in [module.consul, module.cortex, module.nginx, module.monitoring] :
      length(m.launch_template.block_device_mappings) == 1 &&
      m.launch_template.block_device_mappings[0].device_name == "/dev/xvda" &&
    m.launch_template.block_device_mappings[0].ebs[0].encrypted == "true"])
    error_message = "Every launch template must encrypt the root volume of its AMI (the AMI's root device name)."
  }

  assert {
    condition = alltrue([for m in [module.consul, module.cortex, module.nginx, module.monitoring] :
      m.autoscaling_group.launch_template[0].id == m.launch_template.id &&
      m.autoscaling_group.launch_template[0].version == tostring(m.launch_template.latest_version) &&
    m.autoscaling_group.instance_refresh[0].strategy == "Rolling"])
    error_message = "Every group must follow its template's latest version with a rolling instance refresh."
  }

  assert {
    condition     = module.consul.autoscaling_group.min_size == 5 && module.consul.autoscaling_group.max_size == 5 && module.consul.autoscaling_group.desired_capacity == 5
    error_message = "consul_servers must size the Consul group exactly."
  }

  assert {
    condition     = [for f in yamldecode(base64decode(module.consul.launch_template.user_data)).write_files : f.content if f.path == "/etc/consul.d/zz-terraform.hcl"] == ["# Written by terraform/aws user data: this cluster runs 5 Consul servers.\nbootstrap_expect = 5\n"]
    error_message = "The Consul servers' user data must set bootstrap_expect to consul_servers."
  }

  assert {
    condition = alltrue([for m in [module.cortex, module.nginx, module.monitoring] :
    length([for f in yamldecode(base64decode(m.launch_template.user_data)).write_files : f if startswith(f.path, "/etc/consul.d/")]) == 0])
    error_message = "Only Consul servers get a Consul settings file (a client agent refuses bootstrap_expect)."
  }

  assert {
    condition = alltrue([for m in [module.consul, module.cortex, module.nginx, module.monitoring] :
      [for t in m.launch_template.tag_specifications : t.tags["build-images:consul-join"] if t.resource_type == "instance"] == ["cortex"]
    ])
    error_message = "Every instance must carry the Consul auto-join tag (key build-images:consul-join, value var.name) that the AMIs read at boot."
  }

  assert {
    condition = alltrue([for m in [module.consul, module.cortex, module.nginx, module.monitoring] :
      keys(yamldecode(base64decode(m.launch_template.user_data))) == ["runcmd", "write_files"] &&
      startswith(base64decode(m.launch_template.user_data), "#cloud-config\n") &&
      length([for f in yamldecode(base64decode(m.launch_template.user_data)).write_files : f if startswith(f.path, "/etc/systemd/system")]) == 0 &&
      !can(regex("systemctl\\W+(enable|start|restart|daemon-reload)", base64decode(m.launch_template.user_data)))
    ])
    error_message = "User data must be cloud-config that writes and enables no unit: the AMIs bring their own."
  }

  assert {
    condition     = module.cortex.autoscaling_group.min_size == 3 && module.cortex.autoscaling_group.max_size == 6 && module.cortex.autoscaling_group.desired_capacity == 4 && module.cortex.scaling_policy == null
    error_message = "cortex_size must flow into the Cortex group, at a fixed size (no target tracking for ingesters)."
  }

  assert {
    condition     = module.nginx.autoscaling_group.min_size == 2 && module.nginx.autoscaling_group.max_size == 6 && module.nginx.scaling_policy.policy_type == "TargetTrackingScaling" && module.nginx.scaling_policy.target_tracking_configuration[0].target_value == 60 && module.nginx.scaling_policy.target_tracking_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ASGAverageCPUUtilization"
    error_message = "The gateways must scale by target tracking on CPU between nginx_size.min and max."
  }

  assert {
    condition     = module.alb.target_groups["gateway"].health_check[0].path == "/healthz" && module.alb.target_groups["gateway"].health_check[0].matcher == "200" && module.nginx.autoscaling_group.health_check_type == "ELB"
    error_message = "The gateway's health check must be nginx's own /healthz (not / proxied to Cortex), answered 200."
  }

  assert {
    condition = alltrue([for p in ["tcp", "udp"] :
      module.security_groups.rules_between_groups["consul_serf_wan_${p}"].from_port == 8302 &&
      module.security_groups.rules_between_groups["consul_serf_wan_${p}"].ip_protocol == p &&
    module.security_groups.rules_between_groups["consul_serf_wan_${p}"].referenced_security_group_id == module.security_groups.role_security_group_ids["consul"]])
    error_message = "Consul servers must reach each other on 8302 tcp and udp (Serf WAN)."
  }

  assert {
    condition = alltrue([for b in [module.cortex_storage, module.cortex_ruler_storage] :
    b.versioning == "Enabled" && b.lifecycle_rules[0].noncurrent_version_expiration[0].noncurrent_days == 30 && b.lifecycle_rules[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7])
    error_message = "The Cortex buckets must be versioned and expire noncurrent versions."
  }

  assert {
    condition = output.cortex_build_variables == {
      CORTEX_STORAGE_BACKEND = "s3"
      CORTEX_S3_BUCKET       = "cortex-cortex-blocks-123456789012"
      CORTEX_S3_RULER_BUCKET = "cortex-cortex-ruler-123456789012"
      CORTEX_S3_REGION       = "us-east-1"
    }
    error_message = "cortex_build_variables must name both buckets (blocks; rules and Alertmanager configurations) and the region."
  }
}

# A rebuild of one image: only that role's launch template gets the new AMI; its group follows the
# template's latest version, which is what starts an instance refresh (hashicorp/aws triggers one on
# a launch_template change of a group with an instance_refresh block).
run "new_cortex_ami" {
  command = apply

  variables {
    region = "us-east-1"
    amis = {
      consul     = { us-east-1 = "ami-20000000" }
      cortex     = { us-east-1 = "ami-3000000a" }
      nginx      = { us-east-1 = "ami-40000000" }
      monitoring = { us-east-1 = "ami-50000000" }
    }
  }

  assert {
    condition     = module.cortex.launch_template.image_id == "ami-3000000a" && module.nginx.launch_template.image_id == "ami-40000000" && module.consul.launch_template.image_id == "ami-20000000"
    error_message = "A new cortex AMI must reach the cortex launch template only."
  }

  assert {
    condition     = module.cortex.autoscaling_group.launch_template[0].version == tostring(module.cortex.launch_template.latest_version) && module.cortex.autoscaling_group.instance_refresh[0].preferences[0].min_healthy_percentage == 100
    error_message = "The cortex group must follow the new template version with a refresh that keeps full capacity."
  }
}

run "region_without_ami" {
  command = plan

  variables {
    region = "ap-south-1"
  }

  # Exactly this failure: any other error (an unguarded var.amis[role][var.region]) fails the run.
  expect_failures = [terraform_data.amis_in_region]
}

run "bad_inputs" {
  command = plan

  variables {
    region             = "eu-central-1"
    vpc_cidr           = "not-a-cidr"
    admin_cidrs        = ["0.0.0.0/1", "128.0.0.0/1"]
    cortex_bucket_name = "a..b"
  }

  # Each variable's own validation message, not "Invalid index" from an expression that crashed.
  expect_failures = [var.vpc_cidr, var.admin_cidrs, var.cortex_bucket_name]
}

run "role_with_target_tracking_and_desired" {
  command = plan

  module {
    source = "./modules/role"
  }

  variables {
    name                  = "cortex-nginx"
    ami_id                = "ami-40000000"
    instance_type         = "t3.small"
    subnet_ids            = ["subnet-1"]
    security_group_ids    = ["sg-1"]
    instance_profile_name = "cortex-nginx"
    min_size              = 2
    max_size              = 4
    desired_capacity      = 2
    target_cpu            = 60
  }

  expect_failures = [aws_autoscaling_group.this]
}
