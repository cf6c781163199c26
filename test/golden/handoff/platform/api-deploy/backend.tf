terraform {
  backend "s3" {
    # Credentials: the role arn:aws:iam::111111111111:role/api-deploy, assumed by the CI's login step.
    bucket       = "acme-tfstate"
    key          = "api/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}
