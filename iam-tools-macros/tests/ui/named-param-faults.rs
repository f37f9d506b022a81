iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" } }

[params]
user_name = { type = "string", required = true, member = "User", description = "The user." }
max_items = { type = "integer", min = 100, max = 1 }
path = { description = "A path." }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user."
"#);

fn main() {}
