terraform {
  backend "gcs" {
    # Credentials: application default credentials from the CI's login step.
    bucket = "acme-tfstate-web"
    prefix = "web"
  }
}
