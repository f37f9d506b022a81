iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { output = { UserName = "string?" } }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user."
access = "reed"
"#);

fn main() {}
