terraform {
  backend "azurerm" {
    storage_account_name = "acmetfstate"
    container_name       = "tfstate"
    key                  = "shop.tfstate"
    use_azuread_auth     = true
    use_oidc             = true
    client_id            = "<clientId of shop-deploy in azure-prod: run pulumi up, then trustplane render --outputs>"
    tenant_id            = "00000000-0000-0000-0000-00000000000a"
    oidc_token_file_path = "/tmp/trustplane/azure-prod.jwt"
  }
}
