iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { output = { UserName = "string?" } }

[tools.get_user]
title = "Get a user"
toolset = "users"
description = "Get one IAM user."
"#);

fn main() {}
