variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name prefix of all resources."
  type        = string
  default     = "runner"
}

variable "image_tag" {
  description = "Image tag to run: the git SHA the CD workflow pushed (see its job summary)."
  type        = string
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64; must match the image the CD workflow built (its RUNNER_ARCH variable)."
  type        = string
  default     = "X86_64"
}

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets with a NAT gateway (or VPC endpoints) for the tasks."
  type        = list(string)
}

variable "warehouse_cidr_blocks" {
  description = "CIDR blocks of the Redshift/Postgres warehouse the tasks connect to."
  type        = list(string)
  default     = []
}

variable "warehouse_port" {
  description = "Warehouse port (Redshift 5439, Postgres 5432)."
  type        = number
  default     = 5439
}

variable "warehouse_connection" {
  description = "Glue connection holding the warehouse host, user and password; null when credentials come from a secret."
  type        = string
  default     = null
}

variable "github_org" {
  description = "GitHub organisation of the runner repository (CD role)."
  type        = string
}

variable "github_repo" {
  description = "GitHub repository of runner (CD role)."
  type        = string
  default     = "runner"
}

variable "alert_email" {
  description = "Address that receives failed-run alerts; null for none."
  type        = string
  default     = null
}
