iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.User]
UserName = "string"

[operations.GetUser]
access = "read"
input = { UserName = "string?" }
output = { User = "User" }

[tools.get_user]
title = "Get a user"
description = "Get one IAM user."
toolset = "users"
access = "read"
operation = "GetUser"
paginate = "User"
"#);

fn main() {}
