iam_tools_macros::generate_tools!(inline = r#"
[toolsets.access_keys]
description = "Access keys"

[operations]
UpdateAccessKey = { input = { UserName = "string?", AccessKeyId = "string", Status = "enum" } }

[params]
user_name = { type = "string", description = "The user." }
access_key_id = { type = "string", description = "The key's ID." }

[tools.access_keys.update_access_key]
title = "Activate or deactivate an access key"
description = "Set an access key Active or Inactive."
destructive = true
params.expires = "When the key stops working."
"#);

fn main() {}
