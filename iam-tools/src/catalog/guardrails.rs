//! The guardrails the runtime implements, by their manifest names, with the server flag
//! that relaxes each: the table the manifest's `[guardrails.NAME]`, the server's flags and
//! its instructions read.

/// The rules, by their manifest names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    PrivilegedPolicies,
    BroadAllow,
    PublicTrust,
    SelfLockout,
    ServiceLinkedRoles,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::PrivilegedPolicies,
        Rule::BroadAllow,
        Rule::PublicTrust,
        Rule::SelfLockout,
        Rule::ServiceLinkedRoles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::PrivilegedPolicies => "privileged_policies",
            Rule::BroadAllow => "broad_allow",
            Rule::PublicTrust => "public_trust",
            Rule::SelfLockout => "self_lockout",
            Rule::ServiceLinkedRoles => "service_linked_roles",
        }
    }

    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The server flag that relaxes the rule.
    pub fn flag(self) -> &'static str {
        match self {
            Rule::PrivilegedPolicies => "--allow-privileged-policies",
            Rule::BroadAllow => "--allow-broad-policies",
            Rule::PublicTrust => "--allow-public-trust",
            Rule::SelfLockout => "--allow-self-lockout",
            Rule::ServiceLinkedRoles => "--allow-service-linked-roles",
        }
    }
}
