# Three roles for the task side (docs/aws-permissions.md maps every runner API call to a statement):
# - execution: what ECS itself needs to start the container (pull the image, write logs, inject secrets);
# - task: what runner calls while it runs (least privilege, by prefix and by name);
# - scheduler: what EventBridge Scheduler needs to start a task (RunTask, PassRole).

# ECS assumes the execution role to start the task; the trust follows the ECS documentation's
# plain form for it.
data "aws_iam_policy_document" "ecs_execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.${local.dns_suffix}"]
    }
  }
}

# The task role is limited to tasks of this account and region (confused-deputy conditions).
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.${local.dns_suffix}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# ---- execution role -----------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS pulls the runner image, writes its logs and injects container secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_execution_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrAuthToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullRunnerImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.runner.arn]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.runner.arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.container_secret_arns) == 0 ? [] : [1]
    content {
      sid       = "InjectContainerSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.container_secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.container_parameter_arns) == 0 ? [] : [1]
    content {
      sid       = "InjectContainerParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.container_parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.container_secrets) == 0 || length(var.secrets_kms_key_arns) == 0 ? [] : [1]
    content {
      sid       = "DecryptContainerSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.${local.dns_suffix}", "ssm.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.name}-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---- task role ----------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "What runner calls while it runs: S3 packages/profiles/artifacts, Glue, Secrets Manager"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "task" {
  # Packages (the tarball, its .sha256, the latest.json pointer) and profiles.yml: GetObject only.
  statement {
    sid     = "ReadPackagesAndProfiles"
    actions = ["s3:GetObject"]
    resources = [
      "${local.bucket_arn}/${var.packages_prefix}*",
      "${local.bucket_arn}/${var.profiles_prefix}*",
    ]
  }

  # With ListBucket a missing package answers 404 (runner reports "does not exist") instead of
  # 403; only under the read prefixes. runner itself never lists.
  statement {
    sid       = "MissingKeysAnswer404"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values = [
        "${var.packages_prefix}*",
        "${var.profiles_prefix}*",
      ]
    }
  }

  # Artifacts (runs/<run-id>/ and latest/) and run-history lines: PutObject only (nothing is read
  # back or deleted).
  statement {
    sid     = "WriteArtifactsAndRunHistory"
    actions = ["s3:PutObject"]
    resources = [
      "${local.bucket_arn}/${var.artifacts_prefix}*",
      "${local.bucket_arn}/${var.run_history_prefix}*",
    ]
  }

  statement {
    sid       = "BucketKeyViaS3Only"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.${local.dns_suffix}"]
    }
  }

  dynamic "statement" {
    for_each = length(var.glue_connection_names) == 0 ? [] : [1]
    content {
      sid     = "ReadWarehouseConnections"
      actions = ["glue:GetConnection"]
      resources = concat(
        [local.glue_catalog_arn],
        [for c in var.glue_connection_names : "arn:${local.partition}:glue:${local.region}:${local.account_id}:connection/${c}"],
      )
    }
  }

  dynamic "statement" {
    for_each = length(var.credential_secret_arns) == 0 ? [] : [1]
    content {
      sid       = "ReadWarehouseSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = var.credential_secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) == 0 ? [] : [1]
    content {
      sid       = "DecryptCredentialsViaTheirServices"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.${local.dns_suffix}", "glue.${local.region}.${local.dns_suffix}"]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "${var.name}-task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---- scheduler role -----------------------------------------------------------------------------

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.${local.dns_suffix}"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  description        = "EventBridge Scheduler starts runner tasks"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunRunnerTask"
    actions   = ["ecs:RunTask"]
    resources = ["${aws_ecs_task_definition.runner.arn_without_revision}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.runner.arn]
    }
  }

  # enable_ecs_managed_tags/propagate_tags tag the task at launch.
  statement {
    sid       = "TagTaskAtLaunch"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.runner.name}/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.${local.dns_suffix}"]
    }
  }

  # Schedules are encrypted with the module's key; the scheduler decrypts the payload at invocation.
  statement {
    sid       = "DecryptSchedulePayload"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "${var.name}-scheduler"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
