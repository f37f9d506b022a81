iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.AccessKeyMetadata]
AccessKeyId = "string?"

[operations.ListAccessKeys]
access = "read"
input = { UserName = "string?", Marker = "string?", MaxItems = "int?" }
output = { AccessKeyMetadata = "[AccessKeyMetadata]", IsTruncated = "bool", Marker = "string?" }

[operations.DeleteAccessKey]
access = "write"
input = { UserName = "string?", AccessKeyId = "string" }

[operations.DeleteUser]
access = "write"
input = { UserName = "string" }

[tools.delete_user]
title = "Delete a user"
description = "Delete an IAM user and its access keys."
toolset = "users"
access = "write"
destructive = true
operation = "DeleteUser"
params = [
  { name = "user_name", type = "string", required = true, description = "The user." },
]
cleanup = [
  { kind = "access keys", list = "ListAccessKey", items = "AccessKeyMetadata", delete = "DeleteAccessKey", bind = { AccessKeyId = "AccessKeyId" } },
]
"#);

fn main() {}
