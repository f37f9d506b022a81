//! The integration tests, one binary: the real server over stdio, driven by MCP clients,
//! against moto's IAM on 127.0.0.1 (see each module). One binary links the workspace once
//! instead of once per file.

mod common;

mod analysis;
mod audit;
mod cli;
mod consent;
mod errors;
mod force_delete;
mod front_door;
mod guardrails;
mod iam_more;
mod iam_surface;
mod inspector;
mod lint;
mod maintainer;
mod offline;
mod protocol;
mod readme;
mod readonly;
mod robustness;
mod simulation;
mod snapshots;
mod users_groups;
mod validation;
