iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { input = { UserName = "string?" }, access = "reed" }
DeleteUser = { input = { UserName = "string" } }

[params]
user_name = { type = "str", description = "The user." }

[tools.user.get_user]
title = "Get a user"
description = "Get one IAM user."

[tools.users.delete_user]
title = "Delete a user"
description = "Delete an IAM user."
"#);

fn main() {}
