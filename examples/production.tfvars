# Values for examples/runners.terraform-variables.yaml in one environment:
#   terraform plan -var-file=production.tfvars
vpc_id     = "vpc-0123456789abcdef0"
subnet_ids = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
gitlab_url = "https://gitlab.acme.example"

small_runner_token_parameter = "/acme/production/gitlab-runner/small/token"
scale_runner_token_parameter = "/acme/production/gitlab-runner/scale/token"

manager_instance_type = "t3.medium"
worker_instance_types = ["m6i.xlarge", "m5.xlarge"]
max_workers           = 40
small_max_jobs        = 4
