iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations.GetUser]
access = "read"
input = { UserName = "string?" }

[operations.DeleteUser]
access = "write"
input = { UserName = "string" }

[guardrails.no_fun]
documents = "identity"

[guardrails.self_lockout.operations]
GetUser = []
DeleteUser = ["DeleteUser", "ListUserz"]

[guardrails.broad_allow]
documents = "resource"
"#);

fn main() {}
