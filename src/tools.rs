//! The tools, generated from `tools.toml`.

iam_tools::generate_tools!("tools.toml");
