//! Guardrails: checks on every write, on by default, each relaxed by a server flag.
//!
//! The manifest's `[guardrails.NAME]` says where a rule applies (the write operations whose
//! steps it checks, the tool's own operation and every force-delete step alike, or the
//! policy documents of a kind) and what it reads to decide; this module is the rules.
//! A refused write changes nothing: the checks run after the plan is made and before the
//! human is asked, dry runs included.
//!
//! - `privileged_policies`: no attaching AdministratorAccess, IAMFullAccess, PowerUserAccess
//!   (the deny list is configurable; names match AWS-managed policies in any partition).
//! - `broad_allow`: no identity policy that allows `*` or `service:*` on Resource `*`.
//! - `public_trust`: no trust policy that lets Principal `*` assume the role.
//! - `self_lockout`: never delete, detach or deactivate what the server itself runs on: its
//!   own user or role, its access key, the policies (and groups) that give it IAM
//!   permissions; never set it a permissions boundary without IAM permissions, attach or
//!   put on it a policy that denies IAM actions, or replace a policy of its (inline, or a
//!   managed one's version in effect) with one that drops its IAM permissions.
//! - `service_linked_roles`: no change to a role under `/aws-service-role/`.

mod broad_allow;
mod check;
mod common;
mod documents;
mod privileged;
mod self_lockout;
mod service_linked;

pub use check::check_steps;
pub use common::GuardedStep;
pub use documents::{check_documents, document_findings};
