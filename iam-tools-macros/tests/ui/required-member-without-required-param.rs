iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.Group]
GroupName = "string"

[operations]
GetUser = { input = { UserName = "string?" } }
ListGroupsForUser = { input = { UserName = "string" }, output = { Groups = "[Group]" }, paged = "Groups" }
DeleteUser = { input = { UserName = "string" } }

[params]
user_name = { type = "string", description = "The user." }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user with its groups."
include.Groups = "ListGroupsForUser"

[tools.users.delete_user]
title = "Delete a user"
description = "Delete an IAM user."
destructive = true
params.user_name = { required = false }
"#);

fn main() {}
