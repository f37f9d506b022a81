//! The guardrails the runtime implements. Everything else about them (name, where each
//! applies, what it refuses, the flag, variable and help text that relax it) is the
//! manifest's `[guardrails.NAME]`, served as [`super::GuardrailSpec`]s: the generated
//! catalog names each rule by its variant here (`privileged_policies`:
//! `Rule::PrivilegedPolicies`), so a manifest cannot declare a rule that is not implemented.

/// A rule, implemented in `crate::write::guard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    PrivilegedPolicies,
    BroadAllow,
    PublicTrust,
    SelfLockout,
    ServiceLinkedRoles,
}

impl Rule {
    /// Every rule: the real manifest declares each (the server's tests check it).
    pub const ALL: [Rule; 5] = [
        Rule::PrivilegedPolicies,
        Rule::BroadAllow,
        Rule::PublicTrust,
        Rule::SelfLockout,
        Rule::ServiceLinkedRoles,
    ];
}
