iam_tools_macros::generate_tools!(inline = r#"
[toolsets.users]
description = "IAM users"

[shapes.User]
UserName = "string"

[operations]
GetUser = { input = { UserName = "string?", PolicyDocument = "document?" }, output = { User = "User" } }

[params]
user_name = { type = "string", min_length = 1, max_length = 64, description = "The user." }
policy_document = { type = "document", description = "A policy." }

[tools.users.get_user]
title = "Get a user"
description = "Get one IAM user."
params.user_name = { type = "string", description = "The user.", max_length = 64, min_length = 100 }
params.policy_document = { policy = "identity" }
"#);

fn main() {}
