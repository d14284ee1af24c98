# One EventBridge Scheduler schedule per job. Each starts the task definition's latest ACTIVE
# revision with the job's command as the container override, e.g.
#   daily = { cron = "0 6 * * ? *", command = ["dbt", "build", "--select", "tag:daily"] }
# The task's group is job:<name>, so failure alerts and the ECS console say which job it was.

resource "aws_scheduler_schedule_group" "runner" {
  name = var.name
  tags = var.tags
}

resource "aws_scheduler_schedule" "job" {
  for_each = var.schedules

  name                         = each.key
  group_name                   = aws_scheduler_schedule_group.runner.name
  description                  = coalesce(each.value.description, "runner ${join(" ", each.value.command)}")
  schedule_expression          = "cron(${trimspace(each.value.cron)})"
  schedule_expression_timezone = each.value.timezone
  state                        = each.value.enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = local.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_ecs_cluster.runner.arn
    role_arn = aws_iam_role.scheduler.arn

    # RunTask overrides: the container's command replaces the image's CMD (entrypoint: runner).
    input = jsonencode({
      containerOverrides = [
        {
          name    = local.container_name
          command = each.value.command
        }
      ]
    })

    ecs_parameters {
      task_definition_arn     = aws_ecs_task_definition.runner.arn_without_revision
      launch_type             = "FARGATE"
      platform_version        = "LATEST"
      task_count              = 1
      group                   = "job:${each.key}"
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"
      tags                    = merge(var.tags, { "runner:job" = each.key })

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = local.security_group_ids
        assign_public_ip = var.assign_public_ip
      }
    }

    retry_policy {
      maximum_retry_attempts       = var.schedule_retry_attempts
      maximum_event_age_in_seconds = 3600
    }
  }
}
