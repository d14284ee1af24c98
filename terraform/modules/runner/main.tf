# runner on ECS Fargate: one image (ECR), one task definition, one schedule per job, a bucket for
# packages/profiles/artifacts/run history, and alerts when a run fails. Resources are split by
# concern: kms.tf, s3.tf, ecr.tf, ecs.tf, iam.tf, schedules.tf, alerts.tf, run_history.tf, github.tf.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  dns_suffix = data.aws_partition.current.dns_suffix

  container_name = "runner"
  log_group_name = "/ecs/${var.name}"
  bucket_name    = coalesce(var.bucket_name, "${var.name}-${local.account_id}-${local.region}")
  bucket_arn     = "arn:${local.partition}:s3:::${local.bucket_name}"
  kms_key_arn    = var.kms_key_arn != null ? var.kms_key_arn : aws_kms_key.runner[0].arn

  # Where the task finds its inputs and puts its outputs (RUNNER_* environment, IAM prefixes).
  # runner's S3 layout (crates/runner-job/src/layout.rs): packages under
  # <packages>/<project>/<version>/, runs under <artifacts>/<project>/<target>/runs/<run-id>/.
  packages_uri     = "s3://${local.bucket_name}/${var.packages_prefix}"
  package_uri      = "s3://${local.bucket_name}/${var.packages_prefix}${var.project}/${var.package_version}"
  profiles_uri     = "s3://${local.bucket_name}/${var.profiles_prefix}${var.project}/profiles.yml"
  artifacts_uri    = "s3://${local.bucket_name}/${var.artifacts_prefix}"
  run_history_uri  = "s3://${local.bucket_name}/${var.run_history_prefix}"
  athena_results   = "s3://${local.bucket_name}/athena-results/"
  glue_database    = coalesce(var.run_history_database, replace(var.name, "-", "_"))
  glue_catalog_arn = "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog"

  environment = merge(
    {
      RUNNER_PACKAGE    = local.package_uri
      RUNNER_PROFILES   = local.profiles_uri
      RUNNER_ARTIFACTS  = local.artifacts_uri
      RUNNER_HISTORY    = local.run_history_uri
      RUNNER_TARGET     = var.dbt_target
      RUNNER_LOG_FORMAT = "json"
    },
    var.runner_credentials == null ? {} : { RUNNER_CREDENTIALS = var.runner_credentials },
    var.environment,
  )

  # A secret's valueFrom may end in :json-key:version-stage:version-id; IAM wants the secret's ARN
  # (the first seven colon-separated fields).
  container_secret_arns = distinct([
    for v in values(var.container_secrets) : join(":", slice(split(":", v), 0, 7))
    if can(regex("^arn:[^:]+:secretsmanager:", v))
  ])
  container_parameter_arns = distinct([
    for v in values(var.container_secrets) : v if can(regex("^arn:[^:]+:ssm:", v))
  ])
}
