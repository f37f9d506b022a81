iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
UpdateUser = { input = { UserName = "string", NewUserName = "string?" } }

[params]
user_name = { type = "string", min_length = 1, max_length = 64, description = "The user." }

[tools.users.update_user]
title = "Rename a user"
description = "Rename an IAM user."
destructive = false
params.new_user_name = { type = "usr_name", description = "The new name." }
"#);

fn main() {}
