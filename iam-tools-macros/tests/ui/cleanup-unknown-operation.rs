iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.AccessKeyMetadata]
AccessKeyId = "string?"

[operations]
ListAccessKeys = { input = { UserName = "string?" }, output = { AccessKeyMetadata = "[AccessKeyMetadata]" }, paged = "AccessKeyMetadata" }
DeleteAccessKey = { input = { UserName = "string?", AccessKeyId = "string" } }
DeleteUser = { input = { UserName = "string" } }

[params]
user_name = { type = "string", description = "The user." }

[tools.users.delete_user]
title = "Delete a user"
description = "Delete an IAM user and its access keys."
destructive = true
cleanup = [
  { kind = "access keys", list = "ListAccessKey", delete = "DeleteAccessKey" },
]
"#);

fn main() {}
