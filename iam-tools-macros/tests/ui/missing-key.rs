iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations.GetUser]
access = "read"
input = { UserName = "string?" }

[tools.get_user]
title = "Get a user"
toolset = "users"
access = "read"
operation = "GetUser"

[tools.get_user_again]
title = "Get a user"
description = "Get one IAM user."
toolset = "users"
access = "read"
operation = "GetUser"
"#);

fn main() {}
