iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.User]
UserName = "string"

[operations]
GetUser = { output = { User = "User" } }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user."
paginate = true
"#);

fn main() {}
