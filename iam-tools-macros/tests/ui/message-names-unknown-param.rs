iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
DeleteUser = { input = { UserName = "string" } }

[params]
user_name = { type = "string", description = "The user." }

[tools.users.delete_user]
title = "Delete a user"
description = "Delete an IAM user."
destructive = true
message = "Deleted IAM user {username}."
"#);

fn main() {}
