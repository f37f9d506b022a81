iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" } }

[tools.users.get_user]
title = "Get a user
description = "Get one IAM user."
"#);

fn main() {}
