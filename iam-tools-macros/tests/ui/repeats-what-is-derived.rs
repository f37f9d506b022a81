iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.Group]
GroupName = "string"

[operations]
GetUser = { input = { UserName = "string" } }
ListGroupsForUser = { input = { UserName = "string" }, output = { Groups = "[Group]" }, paged = "Groups" }
RemoveUserFromGroup = { input = { GroupName = "string", UserName = "string" } }
DeleteUser = { input = { UserName = "string" }, access = "write" }

[params]
user_name = { type = "string", description = "The user." }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user with its groups."
operation = "GetUser"
access = "read"
params.user_name = { required = true }
include.Groups = { operation = "ListGroupsForUser", take = "Groups" }

[tools.users.list_groups_for_user]
title = "List a user's groups"
description = "List the groups of an IAM user."
paginate = true

[tools.users.delete_user]
title = "Delete a user"
description = "Delete an IAM user and its group memberships."
destructive = true
cleanup = [
  { kind = "group memberships", list = "ListGroupsForUser", items = "Groups", delete = "RemoveUserFromGroup", bind = { GroupName = "GroupName" } },
]
"#);

fn main() {}
