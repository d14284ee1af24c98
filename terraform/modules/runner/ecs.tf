resource "aws_ecs_cluster" "runner" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "runner" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.encrypt_logs_with_kms ? local.kms_key_arn : null

  tags = var.tags
}

resource "aws_ecs_task_definition" "runner" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_cpu)
  memory                   = tostring(var.task_memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  dynamic "ephemeral_storage" {
    for_each = var.ephemeral_storage_gib == null ? [] : [var.ephemeral_storage_gib]
    content {
      size_in_gib = ephemeral_storage.value
    }
  }

  # Task storage mounted where the image declares VOLUME ["/work", "/tmp"]: the only writable
  # paths, since the root filesystem is read-only. ECS copies the image directories' ownership
  # (the non-root runner user) into the volumes.
  volume {
    name = "work"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(local.container_definition, length(var.container_secrets) == 0 ? {} : {
      secrets = [for k in sort(keys(var.container_secrets)) : { name = k, valueFrom = var.container_secrets[k] }]
    })
  ])

  tags = var.tags
}

locals {
  container_definition = {
    name                   = local.container_name
    image                  = "${aws_ecr_repository.runner.repository_url}:${var.image_tag}"
    essential              = true
    readonlyRootFilesystem = true
    # No command: the image's CMD ["run"] unless a schedule or run-task overrides it, e.g.
    # ["dbt", "build", "--select", "tag:daily"].
    environment = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    mountPoints = [
      { sourceVolume = "work", containerPath = "/work", readOnly = false },
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    # Fargate's maximum: runner gets SIGTERM, cancels warehouse queries and uploads what it has.
    stopTimeout = 120
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.runner.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "runner"
        # Never drop log lines: a run's log is its audit trail (the container waits instead).
        mode = "blocking"
      }
    }
  }
}

resource "aws_security_group" "runner" {
  #checkov:skip=CKV2_AWS_5:Attached to every task through aws_scheduler_schedule.job (ecs_parameters.network_configuration) and the run_task_command output, which the check's list of attaching resource types does not include.
  name_prefix = "${var.name}-task-"
  description = "runner tasks: no inbound; HTTPS to AWS APIs and egress to the warehouse"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-task" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = toset(var.https_egress_cidr_blocks)

  security_group_id = aws_security_group.runner.id
  description       = "HTTPS to AWS APIs (S3, ECR, Glue, Secrets Manager, logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "warehouse" {
  for_each = {
    for pair in flatten([
      for rule in var.warehouse_egress : [
        for cidr in rule.cidr_blocks : { key = "${rule.port}-${cidr}", port = rule.port, cidr = cidr, description = rule.description }
      ]
    ]) : pair.key => pair
  }

  security_group_id = aws_security_group.runner.id
  description       = each.value.description
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

locals {
  security_group_ids = concat([aws_security_group.runner.id], var.additional_security_group_ids)
}
