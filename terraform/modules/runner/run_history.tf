# Run history: after every run, runner writes one JSON line per run to
# <run_history_prefix>runs/dt=YYYY-MM-DD/<run-id>.json and one per node result to
# <run_history_prefix>node_results/dt=YYYY-MM-DD/<run-id>.json (RUNNER_HISTORY). The two tables
# below read them with partition projection on dt, so no crawler runs and the task makes no Glue
# call for history: its role only needs s3:PutObject on the prefix. Query them with Athena in this
# workgroup (docs/deploy.md).

resource "aws_glue_catalog_database" "run_history" {
  count = var.create_run_history_database ? 1 : 0

  name         = local.glue_database
  description  = "runner run history (one row per node per run)"
  location_uri = local.run_history_uri

  tags = var.tags
}

locals {
  run_history_tables = {
    runs = {
      description = "One row per runner job run"
      columns = {
        run_id          = "string"
        project         = "string"
        target          = "string"
        package         = "string"
        package_version = "string"
        package_sha256  = "string"
        commands        = "array<string>"
        status          = "string"
        exit_code       = "int"
        error           = "string"
        started_at      = "string"
        finished_at     = "string"
        elapsed_seconds = "double"
        pass            = "int"
        warn            = "int"
        error_count     = "int"
        skip            = "int"
        total           = "int"
        files           = "array<string>"
      }
    }
    node_results = {
      description = "One row per node result of a runner job run"
      columns = {
        run_id         = "string"
        project        = "string"
        target         = "string"
        command        = "string"
        unique_id      = "string"
        status         = "string"
        execution_time = "double"
        started_at     = "string"
        completed_at   = "string"
        rows_affected  = "bigint"
        failures       = "bigint"
        message        = "string"
      }
    }
  }
}

resource "aws_glue_catalog_table" "run_history" {
  for_each = local.run_history_tables

  name          = "${var.run_history_table}_${each.key}"
  database_name = local.glue_database
  description   = each.value.description
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL                      = "TRUE"
    classification                = "json"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "2024-01-01,NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
    "storage.location.template"   = "${local.run_history_uri}${each.key}/dt=$${dt}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "${local.run_history_uri}${each.key}/"
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters            = { "ignore.malformed.json" = "true" }
    }

    dynamic "columns" {
      for_each = each.value.columns
      content {
        name = columns.key
        type = columns.value
      }
    }
  }

  depends_on = [aws_glue_catalog_database.run_history]
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
