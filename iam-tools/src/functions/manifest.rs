//! What the runtime functions take from the manifest, generated from the workspace's
//! `tools.toml` (`generate_run_types!`): each `run` tool's params struct, and the shapes
//! those params and the operations it uses name. The server's `generate_tools!` makes a
//! `run` tool's params these structs, and checks that its manifest declares the same.

iam_tools_macros::generate_run_types!("../tools.toml");
