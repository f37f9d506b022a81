iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.User]
UserName = "string"

[operations]
ListUsers = { input = { PathPrefix = "string?", Marker = "string?", MaxItems = "int?" }, output = { Users = "[User]", IsTruncated = "bool", Marker = "string?" } }
ListGroups = { input = { MaxItems = "int" }, output = { Groups = "[string]" }, paged = "Group" }
"#);

fn main() {}
