iam_tools_macros::generate_tools!(inline = r#"
[toolsets.roles]
description = "IAM roles"

[operations]
UpdateRole = { input = { RoleName = "string", MaxSessionDuration = "int?" } }

[params]
role_name = { type = "string", description = "The role.", min = 1 }
max_session_duration = { type = "integer", min = 3600, max = 43200 }

[tools.roles.update_role]
title = "Update a role"
description = "Change a role's maximum session duration."
destructive = false
params.max_session_duration = { description = "Longest session, in seconds.", pattern = "[0-9]+" }
"#);

fn main() {}
