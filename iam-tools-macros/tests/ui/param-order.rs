iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
UpdateUser = { input = { UserName = "string", NewPath = "string?", NewUserName = "string?" } }

[params]
user_name = { type = "string", description = "The user." }
path = { type = "string", description = "A path." }

[tools.users.update_user]
title = "Rename or move a user"
description = "Rename an IAM user and/or change its path."
destructive = false
params.new_user_name = { type = "user_name", description = "The new name." }
params.new_path = { type = "path", description = "The new path." }
"#);

fn main() {}
