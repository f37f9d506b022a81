iam_tools_macros::generate_tools!("does-not-exist.toml");

fn main() {}
