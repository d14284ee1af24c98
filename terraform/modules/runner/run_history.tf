# Run history: runner creates and updates the table <database>.<run_history_table> itself
# (glue:CreateTable/UpdateTable/BatchCreatePartition, task role) with its data under
# run_history_prefix; people query it with Athena in this workgroup (docs/deploy.md).

resource "aws_glue_catalog_database" "run_history" {
  count = var.create_run_history_database ? 1 : 0

  name         = local.glue_database
  description  = "runner run history (one row per node per run)"
  location_uri = local.run_history_uri

  tags = var.tags
}

resource "aws_athena_workgroup" "runner" {
  name          = var.name
  description   = "Queries over runner's run history"
  force_destroy = true

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true

    result_configuration {
      output_location = local.athena_results

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = local.kms_key_arn
      }
    }
  }

  tags = var.tags
}
