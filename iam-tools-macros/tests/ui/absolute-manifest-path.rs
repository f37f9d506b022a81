iam_tools_macros::generate_tools!("/etc/iam/tools.toml");

fn main() {}
