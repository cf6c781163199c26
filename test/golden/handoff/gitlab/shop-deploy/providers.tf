provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111111111111"]

  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::111111111111:role/shop-deploy"
    session_name            = "trustplane-shop-deploy"
    web_identity_token_file = "/tmp/trustplane/aws-prod.jwt"
  }
}

provider "azurerm" {
  use_oidc             = true
  client_id            = "<clientId of shop-deploy in azure-prod: run pulumi up, then trustplane render --outputs>"
  tenant_id            = "00000000-0000-0000-0000-00000000000a"
  subscription_id      = "00000000-0000-0000-0000-00000000000b"
  oidc_token_file_path = "/tmp/trustplane/azure-prod.jwt"

  features {}
}

provider "google" {
  project     = "acme-prod"
  credentials = file("${path.module}/gcp-prod-credentials.json")
}
