# A complete deployment of runner for one dbt project ("shop"): image repository, cluster, task
# definition, two scheduled jobs, failure alerts by e-mail, run history, and the GitHub roles.
# Walkthrough: docs/deploy.md.

module "runner" {
  source = "../../modules/runner"

  name             = var.name
  image_tag        = var.image_tag
  cpu_architecture = var.cpu_architecture
  task_cpu         = 512
  task_memory      = 1024

  project    = "shop"
  dbt_target = "prod"

  # Warehouse credentials from a Glue connection (host, user, password), read by runner at start.
  # "glue:<name>" assumes runner's RUNNER_CREDENTIALS syntax; check the runner CLI reference.
  glue_connection_names = var.warehouse_connection == null ? [] : [var.warehouse_connection]
  runner_credentials    = var.warehouse_connection == null ? null : "glue:${var.warehouse_connection}"

  vpc_id     = var.vpc_id
  subnet_ids = var.private_subnet_ids
  warehouse_egress = length(var.warehouse_cidr_blocks) == 0 ? [] : [
    { description = "warehouse", port = var.warehouse_port, cidr_blocks = var.warehouse_cidr_blocks },
  ]

  schedules = {
    daily = {
      cron        = "0 6 * * ? *"
      command     = ["dbt", "build", "--select", "tag:daily"]
      timezone    = "Europe/Paris"
      description = "Daily models and their tests"
    }
    hourly = {
      cron    = "15 * * * ? *"
      command = ["dbt", "run", "--select", "tag:hourly"]
    }
    docs = {
      cron    = "30 6 * * ? *"
      command = ["dbt", "docs", "generate"]
    }
  }

  alert_email_addresses = var.alert_email == null ? [] : [var.alert_email]

  github_org    = var.github_org
  github_repo   = var.github_repo
  github_branch = "main"

  # The dbt project's own repository ships its package with runner package
  # (.github/workflows/examples/dbt-project-ship.yml in the runner repository).
  package_publishers = {
    shop = { repository = "${var.github_org}/shop-dbt", branch = "main" }
  }
}
