output "ecr_repository_url" {
  description = "Where the CD workflow pushes the image."
  value       = module.runner.ecr_repository_url
}

output "github_cd_role_arn" {
  description = "Set as the AWS_ROLE_ARN variable of the runner repository."
  value       = module.runner.github_cd_role_arn
}

output "package_publisher_role_arns" {
  description = "Set as AWS_ROLE_ARN in each dbt project repository."
  value       = module.runner.package_publisher_role_arns
}

output "packages_uri" {
  description = "Ship packages here: runner package --output <packages_uri>."
  value       = module.runner.packages_uri
}

output "package_uri" {
  description = "The package the task runs (RUNNER_PACKAGE)."
  value       = module.runner.package_uri
}

output "profiles_uri" {
  description = "Upload profiles.yml here."
  value       = module.runner.profiles_uri
}

output "artifacts_uri" {
  description = "Run artifacts: <project>/<target>/runs/<run-id>/, and <project>/<target>/latest/ with the newest run and docs site."
  value       = module.runner.artifacts_uri
}

output "log_group_name" {
  description = "Task logs."
  value       = module.runner.log_group_name
}

output "schedule_names" {
  description = "The scheduled jobs."
  value       = module.runner.schedule_names
}

output "run_history_table" {
  description = "Query it in Athena (workgroup below)."
  value       = module.runner.run_history_table
}

output "athena_workgroup" {
  description = "Athena workgroup for run-history queries."
  value       = module.runner.athena_workgroup
}

output "run_task_command" {
  description = "Start a run by hand."
  value       = module.runner.run_task_command
}
