iam_tools_macros::generate_tools!(inline = r#"
[toolsets.policies]
description = "Managed policies"

[shapes.PolicyUser]
UserName = "string?"

[operations.ListEntitiesForPolicy]
access = "read"
input = { PolicyArn = "string", PolicyUsageFilter = "enum?", Marker = "string?", MaxItems = "int?" }
output = { PolicyUsers = "[PolicyUser]", IsTruncated = "bool", Marker = "string?" }

[operations.DeleteUserPermissionsBoundary]
access = "write"
input = { UserName = "string" }

[operations.DeletePolicy]
access = "write"
input = { PolicyArn = "string" }

[tools.delete_policy]
title = "Delete a policy"
description = "Delete a managed policy and its uses as a permissions boundary."
toolset = "policies"
access = "write"
destructive = true
operation = "DeletePolicy"
params = [
  { name = "policy_arn", type = "string", required = true, description = "The policy." },
]

[[tools.delete_policy.cleanup]]
kind = "permissions boundaries of users"
list = "ListEntitiesForPolicy"
list_input = { UsageFilter = "PermissionsBoundary" }
items = "PolicyUsers"
delete = "DeleteUserPermissionsBoundary"
bind = { UserName = "UserName" }
"#);

fn main() {}
