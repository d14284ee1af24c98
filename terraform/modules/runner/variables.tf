# ---- naming -------------------------------------------------------------------------------------

variable "name" {
  description = "Name prefix for every resource (ECR repository, cluster, task family, roles, log group, bucket)."
  type        = string
  default     = "runner"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}

# ---- image and task size ------------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the runner image in the module's ECR repository that the task definition runs (the CD workflow pushes one per commit: the git SHA). Tags are immutable."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid image tag."
  }
}

variable "cpu_architecture" {
  description = "runtime_platform CPU architecture of the task: X86_64 or ARM64. Must match the image (the CD workflow builds natively on a runner of that architecture)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units (256 = 0.25 vCPU). Must be a valid Fargate cpu/memory pair with task_memory."
  type        = number
  default     = 256
}

variable "task_memory" {
  description = "Fargate task memory in MiB."
  type        = number
  default     = 512
}

variable "ephemeral_storage_gib" {
  description = "Task ephemeral storage in GiB (21-200) backing the /work and /tmp volumes; null keeps Fargate's default of 20 GiB."
  type        = number
  default     = null

  validation {
    condition     = var.ephemeral_storage_gib == null || (coalesce(var.ephemeral_storage_gib, 21) >= 21 && coalesce(var.ephemeral_storage_gib, 21) <= 200)
    error_message = "ephemeral_storage_gib must be between 21 and 200."
  }
}

# ---- what the task runs -------------------------------------------------------------------------

variable "project" {
  description = "Name of the dbt project the task runs: its package, profiles and artifacts live under <prefix><project>/ in the bucket."
  type        = string
  default     = "dbt"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.project))
    error_message = "project must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "package_version" {
  description = "Package version the task runs: `latest` follows the pointer `runner package` moves; pin a version (e.g. 1.4.2) to freeze it."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.package_version))
    error_message = "package_version is a version such as 1.4.2, or latest."
  }
}

variable "dbt_target" {
  description = "Value of RUNNER_TARGET: the profiles.yml target the task runs against."
  type        = string
  default     = "prod"
}

variable "runner_credentials" {
  description = "Value of RUNNER_CREDENTIALS (where runner reads warehouse credentials, e.g. a Glue connection or a Secrets Manager secret, in the form the runner CLI documents); null leaves it unset. The IAM for it comes from glue_connection_names and credential_secret_arns."
  type        = string
  default     = null
}

variable "environment" {
  description = "Extra environment variables for the container; they override the module's RUNNER_* defaults of the same name."
  type        = map(string)
  default     = {}
}

variable "container_secrets" {
  description = "Container `secrets`: environment variable name => Secrets Manager secret ARN (optionally with a :json-key:: suffix) or SSM parameter ARN. ECS injects them at start with the execution role."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.container_secrets) : can(regex("^arn:aws[a-z-]*:(secretsmanager|ssm):", v))])
    error_message = "container_secrets values must be Secrets Manager or SSM parameter ARNs."
  }
}

variable "secrets_kms_key_arns" {
  description = "ARNs of customer managed KMS keys that encrypt the secrets, SSM parameters or Glue connection passwords the task reads; kms:Decrypt is granted only through those services."
  type        = list(string)
  default     = []
}

variable "glue_connection_names" {
  description = "Glue connections the task may read with glue:GetConnection (warehouse host, user and password)."
  type        = list(string)
  default     = []
}

variable "credential_secret_arns" {
  description = "Secrets Manager secret ARNs the task may read at run time with secretsmanager:GetSecretValue (warehouse credentials)."
  type        = list(string)
  default     = []
}

# ---- storage ------------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the bucket for packages, profiles, artifacts and run history; null derives <name>-<account>-<region>."
  type        = string
  default     = null
}

variable "packages_prefix" {
  description = "Key prefix of project packages (written by `runner package`, read by the task)."
  type        = string
  default     = "packages/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.packages_prefix))
    error_message = "packages_prefix must be a key prefix ending in '/'."
  }
}

variable "profiles_prefix" {
  description = "Key prefix of profiles.yml files (read by the task)."
  type        = string
  default     = "profiles/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.profiles_prefix))
    error_message = "profiles_prefix must be a key prefix ending in '/'."
  }
}

variable "artifacts_prefix" {
  description = "Key prefix the task writes run artifacts to (manifest.json, run_results.json, the docs site, latest/)."
  type        = string
  default     = "artifacts/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be a key prefix ending in '/'."
  }
}

variable "run_history_prefix" {
  description = "Key prefix of the run-history table's data (one object per run, read by Athena)."
  type        = string
  default     = "run-history/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.run_history_prefix))
    error_message = "run_history_prefix must be a key prefix ending in '/'."
  }
}

variable "artifact_retention_days" {
  description = "Days after which objects under artifacts_prefix expire."
  type        = number
  default     = 90
}

variable "noncurrent_version_retention_days" {
  description = "Days after which non-current object versions (overwritten packages, profiles, latest/ pointers) expire."
  type        = number
  default     = 90
}

variable "access_log_bucket" {
  description = "Existing bucket that receives S3 server access logs of the module's bucket; null turns access logging off."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "Existing customer managed KMS key for the bucket, ECR, logs, SNS, schedules and Athena results; null creates one (with the key policy those services need)."
  type        = string
  default     = null
}

variable "encrypt_logs_with_kms" {
  description = "Encrypt the CloudWatch log group with the module's KMS key."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the task log group in days."
  type        = number
  default     = 365
}

variable "ecr_max_images" {
  description = "Number of images the ECR lifecycle policy keeps (untagged images expire after 7 days)."
  type        = number
  default     = 50
}

# ---- run history --------------------------------------------------------------------------------

variable "run_history_database" {
  description = "Glue database of the run-history table; null derives it from name (hyphens become underscores)."
  type        = string
  default     = null
}

variable "run_history_table" {
  description = "Name prefix of the run-history tables: <name>_runs (one row per run) and <name>_node_results (one row per node result)."
  type        = string
  default     = "run_history"
}

variable "create_run_history_database" {
  description = "Create the Glue database (false when it exists already)."
  type        = bool
  default     = true
}

# ---- network ------------------------------------------------------------------------------------

variable "vpc_id" {
  description = "VPC of the task's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets the tasks run in (private subnets with a NAT gateway or VPC endpoints for ECR, S3, logs, Glue and Secrets Manager)."
  type        = list(string)
}

variable "assign_public_ip" {
  description = "Give tasks a public IP (only for public subnets without NAT)."
  type        = bool
  default     = false
}

variable "https_egress_cidr_blocks" {
  description = "Destinations of the task's HTTPS egress (AWS APIs, ECR). Narrow it to VPC endpoint ranges if the VPC has no internet route."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "warehouse_egress" {
  description = "Egress from the task to the warehouse: port and CIDR blocks (e.g. Redshift 5439, Postgres 5432)."
  type = list(object({
    description = string
    port        = number
    cidr_blocks = list(string)
  }))
  default = []
}

variable "additional_security_group_ids" {
  description = "Security groups added to the task besides the module's own."
  type        = list(string)
  default     = []
}

# ---- schedules and alerts -----------------------------------------------------------------------

variable "schedules" {
  description = <<-EOT
    Jobs, one EventBridge Scheduler schedule each: name => { cron, command, timezone, enabled, description }.
    cron is the six-field expression inside cron(...), e.g. "0 6 * * ? *"; command is the container command
    override, e.g. ["dbt", "build", "--select", "tag:daily"] (the image's entrypoint is `runner`).
  EOT
  type = map(object({
    cron        = string
    command     = list(string)
    timezone    = optional(string, "UTC")
    enabled     = optional(bool, true)
    description = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.schedules) : can(regex("^[A-Za-z0-9_-]{1,40}$", k))])
    error_message = "schedule names must be 1-40 letters, digits, hyphens or underscores."
  }

  validation {
    condition     = alltrue([for s in values(var.schedules) : length(split(" ", trimspace(s.cron))) == 6])
    error_message = "cron must have six fields (minutes hours day-of-month month day-of-week year), without the cron( ) wrapper."
  }
}

variable "schedule_retry_attempts" {
  description = "How often EventBridge Scheduler retries a RunTask call that failed (e.g. no Fargate capacity). The task itself is never retried."
  type        = number
  default     = 2
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the failure topic (each must confirm the subscription)."
  type        = list(string)
  default     = []
}

# ---- GitHub Actions (CD) ------------------------------------------------------------------------

variable "create_github_oidc_provider" {
  description = "Create the account's IAM OIDC provider for token.actions.githubusercontent.com (false when the account has one)."
  type        = bool
  default     = true
}

variable "github_org" {
  description = "GitHub organisation (or user) of the runner repository whose CD workflow may push images and packages; null creates no CD role."
  type        = string
  default     = null
}

variable "github_repo" {
  description = "GitHub repository name (without the organisation) of the runner repository."
  type        = string
  default     = null
}

variable "github_branch" {
  description = "The only branch whose workflow runs may assume the CD role (sub claim repo:<org>/<repo>:ref:refs/heads/<branch>)."
  type        = string
  default     = "main"
}

variable "package_publishers" {
  description = "dbt project repositories that ship their own package: project => { repository = \"org/repo\", branch }. Each gets a role that may only pull the runner image and put objects under <packages_prefix><project>/."
  type = map(object({
    repository = string
    branch     = optional(string, "main")
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.package_publishers) : can(regex("^[A-Za-z0-9_-]{1,23}$", k))])
    error_message = "package_publishers keys (project names) must be 1-23 letters, digits, hyphens or underscores (the role name <name>-publish-<project> has at most 64 characters)."
  }

  validation {
    condition     = alltrue([for p in values(var.package_publishers) : can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", p.repository))])
    error_message = "package_publishers repositories must look like org/repo."
  }
}
