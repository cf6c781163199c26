provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = ["111111111111"]
}

provider "azurerm" {
  tenant_id       = "00000000-0000-0000-0000-00000000000a"
  subscription_id = "00000000-0000-0000-0000-00000000000b"

  features {}
}
