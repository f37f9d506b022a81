iam_tools_macros::generate_tools!(inline = r#"
[toolsets.policies]
description = "Managed policies"

[shapes.PolicyUser]
UserName = "string?"

[operations]
ListEntitiesForPolicy = { input = { PolicyArn = "string", PolicyUsageFilter = "enum?" }, output = { PolicyUsers = "[PolicyUser]" }, paged = "PolicyUsers" }
DeleteUserPermissionsBoundary = { input = { UserName = "string" } }
DeletePolicy = { input = { PolicyArn = "string" } }

[params]
policy_arn = { type = "string", description = "The policy." }

[tools.policies.delete_policy]
title = "Delete a policy"
description = "Delete a managed policy and its uses as a permissions boundary."
destructive = true
cleanup = [
  { kind = "permissions boundaries of users", list = "ListEntitiesForPolicy", list_input = { UsageFilter = "PermissionsBoundary" }, delete = "DeleteUserPermissionsBoundary" },
]
"#);

fn main() {}
