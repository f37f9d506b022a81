iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[operations]
GetUser = { output = { UserName = "string?" } }

[tools.users.get_user_again]
title = "Get a user"
description = "Get one IAM user."
operation = "GetUsr"

[tools.users.list_userz]
title = "List users"
description = "List IAM users."
"#);

fn main() {}
