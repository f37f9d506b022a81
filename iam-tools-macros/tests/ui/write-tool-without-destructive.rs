iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations.DeleteUser]
access = "write"
input = { UserName = "string" }

[tools.delete_user]
title = "Delete a user"
description = "Delete an IAM user."
toolset = "users"
access = "write"
operation = "DeleteUser"
params = [
  { name = "user_name", type = "string", required = true, description = "The user." },
]
"#);

fn main() {}
