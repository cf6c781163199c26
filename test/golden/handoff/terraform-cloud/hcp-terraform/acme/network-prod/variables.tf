data "tfe_workspace" "network-prod" {
  name         = "network-prod"
  organization = "acme"
}

resource "tfe_variable" "network-prod_tfc_aws_apply_role_arn" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AWS_APPLY_ROLE_ARN"
  value        = "arn:aws:iam::111111111111:role/network-apply"
  category     = "env"
  description  = "the role assumed in aws-prod (trustplane: network-apply)"
}

resource "tfe_variable" "network-prod_tfc_aws_plan_role_arn" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AWS_PLAN_ROLE_ARN"
  value        = "arn:aws:iam::111111111111:role/network-plan"
  category     = "env"
  description  = "the role assumed in aws-prod (trustplane: network-plan)"
}

resource "tfe_variable" "network-prod_tfc_aws_provider_auth" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AWS_PROVIDER_AUTH"
  value        = "true"
  category     = "env"
  description  = "dynamic AWS credentials (trustplane: network-apply, network-plan)"
}

resource "tfe_variable" "network-prod_tfc_azure_apply_client_id" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AZURE_APPLY_CLIENT_ID"
  value        = "<clientId of network-apply in azure-prod: run pulumi up, then trustplane render --outputs>"
  category     = "env"
  description  = "the managed identity in azure-prod (trustplane: network-apply)"
}

resource "tfe_variable" "network-prod_tfc_azure_plan_client_id" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AZURE_PLAN_CLIENT_ID"
  value        = "<clientId of network-plan in azure-prod: run pulumi up, then trustplane render --outputs>"
  category     = "env"
  description  = "the managed identity in azure-prod (trustplane: network-plan)"
}

resource "tfe_variable" "network-prod_tfc_azure_provider_auth" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_AZURE_PROVIDER_AUTH"
  value        = "true"
  category     = "env"
  description  = "dynamic Azure credentials (trustplane: network-apply, network-plan)"
}

resource "tfe_variable" "network-prod_tfc_gcp_provider_auth" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_GCP_PROVIDER_AUTH"
  value        = "true"
  category     = "env"
  description  = "dynamic GCP credentials (trustplane: network-gcp)"
}

resource "tfe_variable" "network-prod_tfc_gcp_run_service_account_email" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_GCP_RUN_SERVICE_ACCOUNT_EMAIL"
  value        = "network-gcp@acme-prod.iam.gserviceaccount.com"
  category     = "env"
  description  = "the service account impersonated in gcp-prod (trustplane: network-gcp)"
}

resource "tfe_variable" "network-prod_tfc_gcp_workload_provider_name" {
  workspace_id = data.tfe_workspace.network-prod.id
  key          = "TFC_GCP_WORKLOAD_PROVIDER_NAME"
  value        = "projects/123456789012/locations/global/workloadIdentityPools/trustplane/providers/network-gcp"
  category     = "env"
  description  = "the provider in gcp-prod (trustplane: network-gcp)"
}
