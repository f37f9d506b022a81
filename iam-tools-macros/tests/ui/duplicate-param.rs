iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" } }

[params]
user_name = { type = "string", description = "The user." }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user."
params.user_name = "The user's name."
params.user_name = "The user's name, again."
"#);

fn main() {}
