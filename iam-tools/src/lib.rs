//! Runtime library for iam-mcp-server: everything the code generated from `tools.toml`
//! calls into (tool specs, read-only gating, error mapping, pagination, output conversion,
//! backends) and the policy engine.

pub mod policy;
