# One role of the cluster: a launch template for the role's AMI and an auto scaling group that
# rolls a new AMI out with an instance refresh. The group points at the template's latest
# version, so a new AMI (a new template version) starts a refresh; a refresh does not start when
# the group follows "$Latest".

# The AMI's own root device: a block device mapping only replaces the root volume when it names the
# device the AMI boots from (otherwise it adds a second, empty volume). No owners filter: the ID is
# pinned, and an AMI shared from a build account must be found too.
data "aws_ami" "this" {
  filter {
    name   = "image-id"
    values = [var.ami_id]
  }
}

resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-"
  image_id      = var.ami_id
  instance_type = var.instance_type
  user_data     = var.user_data == "" ? null : base64encode(var.user_data)

  vpc_security_group_ids = var.security_group_ids

  iam_instance_profile {
    name = var.instance_profile_name
  }

  # Encrypted root volume, whatever the AMI's snapshot is: EC2 encrypts the copy it makes at launch
  # with kms_key_id (null: the account's default EBS key). The size stays the snapshot's.
  block_device_mappings {
    device_name = data.aws_ami.this.root_device_name

    ebs {
      encrypted             = true
      kms_key_id            = var.kms_key_id
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  # IMDSv2 only, one hop: containers or proxies on the instance cannot reach the role's credentials.
  # Instance tags are readable there: the AMIs' consul-instance-config.service reads the Consul
  # auto-join tag at every boot.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = var.name })
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_autoscaling_group" "this" {
  name                = var.name
  vpc_zone_identifier = var.subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.desired_capacity

  health_check_type         = var.health_check_type
  health_check_grace_period = var.health_check_grace_period
  target_group_arns         = var.target_group_arns
  termination_policies      = ["OldestLaunchTemplate", "OldestInstance"]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = var.min_healthy_percentage
      max_healthy_percentage = var.max_healthy_percentage
      instance_warmup        = var.instance_warmup
      # A refresh whose new instances never become healthy goes back to the previous template version.
      auto_rollback = true
    }
  }

  dynamic "tag" {
    for_each = merge(var.tags, { Name = var.name })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = false
    }
  }

  lifecycle {
    precondition {
      condition     = var.min_size <= coalesce(var.desired_capacity, var.min_size) && coalesce(var.desired_capacity, var.max_size) <= var.max_size && var.min_size <= var.max_size
      error_message = "desired_capacity must lie between min_size and max_size."
    }

    precondition {
      condition     = var.target_cpu == null || var.desired_capacity == null
      error_message = "A group that scales by target tracking takes no desired_capacity: Terraform would reset what the scaling policy chose on every apply."
    }

    precondition {
      condition     = var.max_healthy_percentage - var.min_healthy_percentage <= 100
      error_message = "max_healthy_percentage may exceed min_healthy_percentage by at most 100."
    }
  }
}

# Stateless roles scale between min_size and max_size on their average CPU; the group starts at
# min_size and the policy owns desired capacity from then on.
resource "aws_autoscaling_policy" "cpu" {
  count = var.target_cpu == null ? 0 : 1

  name                   = "${var.name}-cpu"
  autoscaling_group_name = aws_autoscaling_group.this.name
  policy_type            = "TargetTrackingScaling"

  target_tracking_configuration {
    predefined_metric_specification {
      predefined_metric_type = "ASGAverageCPUUtilization"
    }
    target_value = var.target_cpu
  }
}
