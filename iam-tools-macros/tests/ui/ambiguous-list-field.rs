iam_tools_macros::generate_tools!(inline = r#"
[toolsets.policies]
description = "Managed policies"

[shapes.PolicyUser]
UserName = "string?"
[shapes.PolicyRole]
RoleName = "string?"
[shapes.Policy]
Arn = "string?"

[operations]
GetPolicy = { input = { PolicyArn = "string" }, output = { Policy = "Policy" } }
ListEntitiesForPolicy = { input = { PolicyArn = "string" }, output = { PolicyUsers = "[PolicyUser]", PolicyRoles = "[PolicyRole]" }, paged = "PolicyUsers" }
DetachUserPolicy = { input = { UserName = "string", PolicyArn = "string" } }
DeletePolicy = { input = { PolicyArn = "string" } }

[params]
policy_arn = { type = "string", description = "The policy." }

[tools.policies.list_entities_for_policy]
title = "List who has a policy"
description = "List the users and roles a managed policy is attached to, with the policy."
include.Policy = "GetPolicy"

[tools.policies.delete_policy]
title = "Delete a policy"
description = "Delete a managed policy, detached first."
destructive = true
cleanup = [
  { kind = "attachments to users", list = "ListEntitiesForPolicy", delete = "DetachUserPolicy" },
]
"#);

fn main() {}
