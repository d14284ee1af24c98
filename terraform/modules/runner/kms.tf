# One customer managed key for everything the module stores: the bucket (SSE-KMS), ECR images,
# the log group, the alert topic, schedule payloads and Athena results. Created unless
# var.kms_key_arn brings an existing key (whose policy must then grant the same services).

resource "aws_kms_key" "runner" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "${var.name}: bucket, ECR, logs, alerts, schedules and Athena results"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The account's IAM policies decide who uses the key (task, CD and scheduler roles).
        Sid       = "AccountIamPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsForTheTaskLogGroup"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.${local.dns_suffix}" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnEquals = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
          }
        }
      },
      {
        # EventBridge publishes failure events to the encrypted SNS topic.
        Sid       = "EventBridgeToEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "events.${local.dns_suffix}" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "runner" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.runner[0].key_id
}
