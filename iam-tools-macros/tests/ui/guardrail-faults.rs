iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" } }
DeleteUser = { input = { UserName = "string" } }

[guardrails.no_fun]
documents = "identity"

[guardrails.self_lockout.operations]
GetUser = []
DeleteUser = ["DeleteUser", "ListUserz"]

[guardrails.broad_allow]
documents = "resource"
"#);

fn main() {}
