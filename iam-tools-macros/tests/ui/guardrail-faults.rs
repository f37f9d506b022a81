iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" } }
DeleteUser = { input = { UserName = "string" } }

[guardrails.no-fun]
documents = "identity"
refuses = "fun"
help = "Allow fun"

[guardrails.self_lockout]
refuses = "changes that would cut the server's own access"

[guardrails.self_lockout.operations]
GetUser = []
DeleteUser = ["DeleteUser", "ListUserz"]

[guardrails.broad_allow]
documents = "resource"
flag = "--allow-broad-allow"
refuses = ""
help = "Allow broad policies"

[guardrails.public_trust]
documents = "trust"
flag = "--relax-trust"
refuses = "open trust policies"
help = "Allow open trust policies"

[guardrails.service_linked_roles]
operations = { DeleteUser = [] }
flag = "--allow-self-lockout"
refuses = "changes to service-linked roles"
help = "Allow them"
"#);

fn main() {}
