output "ecr_repository_url" {
  description = "Push the runner image here (tag: the git SHA; tags are immutable)."
  value       = aws_ecr_repository.runner.repository_url
}

output "ecr_repository_name" {
  description = "Name of the ECR repository."
  value       = aws_ecr_repository.runner.name
}

output "image" {
  description = "The image the task definition runs."
  value       = "${aws_ecr_repository.runner.repository_url}:${var.image_tag}"
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.runner.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.runner.arn
}

output "task_definition_arn" {
  description = "ARN of the current task definition revision."
  value       = aws_ecs_task_definition.runner.arn
}

output "task_definition_family" {
  description = "Task definition family (schedules run its latest revision)."
  value       = aws_ecs_task_definition.runner.family
}

output "container_name" {
  description = "Container name to use in command overrides."
  value       = local.container_name
}

output "task_role_arn" {
  description = "Role runner's AWS calls use."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "Role ECS uses to start the task."
  value       = aws_iam_role.execution.arn
}

output "scheduler_role_arn" {
  description = "Role EventBridge Scheduler uses to start tasks."
  value       = aws_iam_role.scheduler.arn
}

output "schedule_names" {
  description = "Schedules, in the module's schedule group."
  value       = { for k, s in aws_scheduler_schedule.job : k => "${s.group_name}/${s.name}" }
}

output "security_group_id" {
  description = "The task's security group (allow it inbound on the warehouse)."
  value       = aws_security_group.runner.id
}

output "subnet_ids" {
  description = "Subnets the tasks run in."
  value       = var.subnet_ids
}

output "bucket_name" {
  description = "Bucket of packages, profiles, artifacts and run history."
  value       = aws_s3_bucket.runner.bucket
}

output "packages_uri" {
  description = "Where `runner package --output` ships packages: <packages_uri><project>/<version>/ and the <project>/latest.json pointer."
  value       = local.packages_uri
}

output "package_uri" {
  description = "RUNNER_PACKAGE: the package the task runs (<project>/latest follows the pointer `runner package` moves)."
  value       = local.package_uri
}

output "profiles_uri" {
  description = "RUNNER_PROFILES: upload profiles.yml here."
  value       = local.profiles_uri
}

output "artifacts_uri" {
  description = "RUNNER_ARTIFACTS: where runs write their artifacts (latest/ holds the newest run and docs site)."
  value       = local.artifacts_uri
}

output "log_group_name" {
  description = "CloudWatch log group of the tasks."
  value       = aws_cloudwatch_log_group.runner.name
}

output "alerts_topic_arn" {
  description = "SNS topic that receives failed runs."
  value       = aws_sns_topic.alerts.arn
}

output "kms_key_arn" {
  description = "KMS key of the bucket, ECR, logs, alerts, schedules and Athena results."
  value       = local.kms_key_arn
}

output "run_history_table" {
  description = "Glue tables of the run history (Athena): database.<name>_runs and database.<name>_node_results."
  value       = { for k, t in aws_glue_catalog_table.run_history : k => "${local.glue_database}.${t.name}" }
}

output "athena_workgroup" {
  description = "Athena workgroup for run-history queries."
  value       = aws_athena_workgroup.runner.name
}

output "github_cd_role_arn" {
  description = "Role for the runner repository's CD workflow (null when github_org/github_repo are unset)."
  value       = local.create_cd_role ? aws_iam_role.cd[0].arn : null
}

output "package_publisher_role_arns" {
  description = "Role per dbt project repository that ships its own package."
  value       = { for k, r in aws_iam_role.publisher : k => r.arn }
}

output "run_task_command" {
  description = "An AWS CLI command that starts one run by hand (append a command override as needed)."
  value = join(" ", [
    "aws ecs run-task",
    "--cluster ${aws_ecs_cluster.runner.name}",
    "--task-definition ${aws_ecs_task_definition.runner.family}",
    "--launch-type FARGATE",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", var.subnet_ids)}],securityGroups=[${join(",", local.security_group_ids)}],assignPublicIp=${var.assign_public_ip ? "ENABLED" : "DISABLED"}}'",
  ])
}
