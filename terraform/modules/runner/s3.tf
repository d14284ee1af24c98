# One bucket, four prefixes: packages/ (written by CD, read by the task), profiles/ (written by
# operators, read by the task), artifacts/ (written by the task) and run-history/ (written by the
# task, read by Athena). athena-results/ holds query results.

resource "aws_s3_bucket" "runner" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is the account's disaster-recovery choice, not this module's: packages are re-shipped by CD and artifacts rewritten by the next run; versioning protects run history against deletes and overwrites.
  #checkov:skip=CKV2_AWS_62:No consumer of object-created events: run completion and failure are signalled by ECS task state events (alerts.tf).
  bucket = local.bucket_name
  tags   = var.tags
}

resource "aws_s3_bucket_ownership_controls" "runner" {
  bucket = aws_s3_bucket.runner.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "runner" {
  bucket = aws_s3_bucket.runner.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "runner" {
  bucket = aws_s3_bucket.runner.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "runner" {
  bucket = aws_s3_bucket.runner.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "runner" {
  bucket = aws_s3_bucket.runner.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }
  }

  rule {
    id     = "expire-artifacts"
    status = "Enabled"

    filter {
      prefix = var.artifacts_prefix
    }

    expiration {
      days = var.artifact_retention_days
    }
  }

  rule {
    id     = "expire-athena-results"
    status = "Enabled"

    filter {
      prefix = "athena-results/"
    }

    expiration {
      days = 30
    }
  }

  depends_on = [aws_s3_bucket_versioning.runner]
}

resource "aws_s3_bucket_logging" "runner" {
  count = var.access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.runner.id
  target_bucket = var.access_log_bucket
  target_prefix = "s3/${local.bucket_name}/"
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.runner.arn, "${aws_s3_bucket.runner.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyTlsOlderThan12"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.runner.arn, "${aws_s3_bucket.runner.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "runner" {
  bucket = aws_s3_bucket.runner.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.runner]
}
