# GitHub Actions OIDC: the runner repository's CD workflow (only on one branch) pushes images to
# the ECR repository and ships packages; each dbt project repository in var.package_publishers
# may only pull the image and ship its own package. No long-lived AWS keys in GitHub.

locals {
  github_oidc_host         = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.github_oidc_host}"
  create_cd_role           = var.github_org != null && var.github_repo != null
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

# ---- CD role of the runner repository -----------------------------------------------------------

data "aws_iam_policy_document" "cd_assume" {
  count = local.create_cd_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Exactly one repository and branch: no pull requests, other branches, tags or environments.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${var.github_org}/${var.github_repo}:ref:refs/heads/${var.github_branch}"]
    }
  }
}

resource "aws_iam_role" "cd" {
  count = local.create_cd_role ? 1 : 0

  name                 = "${var.name}-github-cd"
  description          = "GitHub Actions CD of ${var.github_org}/${var.github_repo}@${var.github_branch}: push images, ship packages"
  assume_role_policy   = data.aws_iam_policy_document.cd_assume[0].json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "cd" {
  statement {
    sid       = "EcrAuthToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushRunnerImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.runner.arn]
  }

  statement {
    sid       = "ShipPackages"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/${var.packages_prefix}*"]
  }

  statement {
    sid       = "BucketKeyViaS3Only"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.${local.dns_suffix}"]
    }
  }
}

resource "aws_iam_role_policy" "cd" {
  count = local.create_cd_role ? 1 : 0

  name   = "${var.name}-github-cd"
  role   = aws_iam_role.cd[0].id
  policy = data.aws_iam_policy_document.cd.json
}

# ---- one publisher role per dbt project repository ----------------------------------------------

data "aws_iam_policy_document" "publisher_assume" {
  for_each = var.package_publishers

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_host}:sub"
      values   = ["repo:${each.value.repository}:ref:refs/heads/${each.value.branch}"]
    }
  }
}

resource "aws_iam_role" "publisher" {
  for_each = var.package_publishers

  name                 = "${var.name}-publish-${each.key}"
  description          = "GitHub Actions of ${each.value.repository}@${each.value.branch}: pull the runner image, ship the ${each.key} package"
  assume_role_policy   = data.aws_iam_policy_document.publisher_assume[each.key].json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "publisher" {
  for_each = var.package_publishers

  # The workflow runs `runner package` from the runner image, so it pulls (never pushes) it.
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
    sid       = "ShipOwnPackage"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/${var.packages_prefix}${each.key}/*"]
  }

  statement {
    sid       = "BucketKeyViaS3Only"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.${local.dns_suffix}"]
    }
  }
}

resource "aws_iam_role_policy" "publisher" {
  for_each = var.package_publishers

  name   = "${var.name}-publish-${each.key}"
  role   = aws_iam_role.publisher[each.key].id
  policy = data.aws_iam_policy_document.publisher[each.key].json
}
