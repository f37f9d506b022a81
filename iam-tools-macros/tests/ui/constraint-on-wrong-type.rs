iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations.ListUsers]
access = "read"
input = { PathPrefix = "string?", MaxItems = "int?" }

[tools.list_users]
title = "List users"
description = "List IAM users."
toolset = "users"
access = "read"
operation = "ListUsers"
params = [
  { name = "max_items", type = "integer", description = "At most this many.", pattern = "[0-9]+" },
]
"#);

fn main() {}
