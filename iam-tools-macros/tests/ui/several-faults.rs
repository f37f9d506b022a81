iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations.GetUser]
access = "reed"
input = { UserName = "string?" }

[operations.DeleteUser]
access = "write"
input = { UserName = "string" }

[tools.get_user]
title = "Get a user"
description = "Get one IAM user."
toolset = "user"
access = "read"
operation = "GetUser"
params = [
  { name = "user_name", type = "str", description = "The user." },
]

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
