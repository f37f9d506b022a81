//! The account as one model, for questions about the whole of it: who can do what
//! ([`Account::who_can`]) and what a principal can really do ([`Account::effective`]).
//!
//! The model is what GetAccountAuthorizationDetails answers (every page merged; an account
//! file is that answer): users with their groups, groups, roles with their trust policies,
//! managed policies with every stored version, inline policies and permissions boundaries.
//! Each document is parsed once and shared by every principal it applies to. Every
//! decision is the engine's ([`crate::evaluate`]) on the principal's own policies, never a
//! match on action names.

mod change;
mod effective;
mod escalation;
mod load;
mod who_can;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::condition::ConditionFailure;
use crate::{
    Decision, Effect, Evaluation, EvaluationInput, NamedPolicy, Policy, PolicySourceType, Request,
    StatementOutcome, evaluate,
};

pub use change::{AccessDelta, Change, MAX_DETAILED, Preview, PrincipalChange};
pub use effective::{EffectiveAction, EffectiveFilter, ResourceGrant};
pub use escalation::{Escalation, EscalationPath, Passwords, Reach, Step};
pub use who_can::WhoCan;

/// A user, a group or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Group,
    Role,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }
}

/// An inline policy.
#[derive(Debug, Clone)]
pub struct Inline {
    pub name: String,
    pub policy: Arc<Policy>,
}

/// A user, group or role with what applies to it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: Kind,
    pub name: String,
    pub arn: String,
    pub inline: Vec<Inline>,
    /// Attached managed policies (indexes into [`Account::policies`]).
    pub attached: Vec<usize>,
    /// A user's groups (indexes into [`Account::principals`]).
    pub groups: Vec<usize>,
    /// A group's users (indexes into [`Account::principals`]).
    pub members: Vec<usize>,
    /// The permissions boundary (an index into [`Account::policies`]).
    pub boundary: Option<usize>,
    /// A role's trust policy.
    pub trust: Option<Arc<Policy>>,
    /// The instance profiles a role is in.
    pub instance_profiles: Vec<String>,
    /// Whether a user has a console password, when the model knows (the details do not
    /// say; an account file may, as `LoginProfile`).
    pub login_profile: Option<bool>,
}

/// A managed policy and its stored versions.
#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub aws_managed: bool,
    pub default_version: String,
    /// Every stored version, the default one included.
    pub versions: Vec<(String, Arc<Policy>)>,
    /// The version in effect.
    pub default: Arc<Policy>,
}

/// The account's principals and policies.
#[derive(Debug, Default, Clone)]
pub struct Account {
    /// From the ARNs in the details.
    pub account_id: Option<String>,
    pub principals: Vec<Principal>,
    pub policies: Vec<ManagedPolicy>,
    by_arn: HashMap<String, usize>,
    by_policy: HashMap<String, usize>,
    /// What the model could not take in (an unreadable document, a policy the details do
    /// not hold), each said once.
    pub notes: Vec<String>,
}

impl Account {
    /// A principal by ARN.
    pub fn principal(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied()
    }

    /// A managed policy by ARN.
    pub fn policy(&self, arn: &str) -> Option<usize> {
        self.by_policy.get(arn).copied()
    }

    /// The principal ARN closest to a mistyped one.
    pub fn closest_principal(&self, arn: &str) -> Option<&str> {
        // The same kind and name at another path (`role/etl` for `role/service-role/etl`).
        let (kind, name) = arn.rsplit_once(':').map_or(("", arn), |(_, r)| {
            let kind = r.split('/').next().unwrap_or_default();
            (kind, r.rsplit('/').next().unwrap_or(r))
        });
        self.principals
            .iter()
            .find(|p| p.kind.as_str() == kind && p.name == name)
            .map(|p| p.arn.as_str())
            .or_else(|| {
                crate::validate::closest(arn, self.principals.iter().map(|p| p.arn.as_str()))
            })
    }

    /// Users, groups and roles counted.
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |k| self.principals.iter().filter(|p| p.kind == k).count();
        (count(Kind::User), count(Kind::Group), count(Kind::Role))
    }

    /// What the engine evaluates for principal `i`: its inline and attached policies, its
    /// groups' (for a user), its boundary. Groups are evaluated as a member would be.
    pub fn subject(&self, i: usize) -> Subject<'_> {
        let p = &self.principals[i];
        let mut subject = Subject {
            account: self,
            index: i,
            input: EvaluationInput::default(),
            sources: Vec::new(),
        };
        let own_type = match p.kind {
            Kind::User => PolicySourceType::User,
            Kind::Group => PolicySourceType::Group,
            Kind::Role => PolicySourceType::Role,
        };
        subject.add_policies_of(i, None, own_type);
        for &g in &p.groups {
            subject.add_policies_of(g, Some(g), PolicySourceType::Group);
        }
        if let Some(b) = p.boundary {
            let policy = &self.policies[b];
            subject.input.permissions_boundary = Some(NamedPolicy::new(
                policy.name.clone(),
                PolicySourceType::PermissionsBoundary,
                policy.default.clone(),
            ));
        }
        subject
    }
}

/// Where one of a subject's identity policies comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// An inline policy of `owner` (the principal, or its group `via`).
    Inline { owner: usize, via: Option<usize> },
    /// A managed policy attached to the principal or to its group `via`.
    Managed { policy: usize, via: Option<usize> },
}

/// One principal's policies, ready to evaluate requests.
#[derive(Debug, Clone)]
pub struct Subject<'m> {
    account: &'m Account,
    pub index: usize,
    input: EvaluationInput,
    /// Parallel to `input.identity_policies`.
    sources: Vec<Source>,
}

/// Allowed outright, or only when conditions hold (ordered: surest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Allowed on a request that carries no condition context.
    Allowed,
    /// Allowed only when the listed conditions hold (an Allow's conditions, or a Deny's
    /// conditions that must not).
    Conditional,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allowed => "allowed",
            Access::Conditional => "conditional",
        }
    }
}

/// A statement that makes (or limits) a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    /// inline, managed, aws-managed, boundary, trust, resource.
    pub policy_type: &'static str,
    pub policy_name: String,
    pub policy_arn: Option<String>,
    /// The group it comes through, for a user's group policies.
    pub group: Option<String>,
    /// The principal the inline policy is embedded in.
    pub owner: Option<String>,
    pub sid: Option<String>,
    pub statement_index: usize,
}

/// A condition a conditional grant depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionRef {
    /// `Allow`: must hold; `Deny`: must not hold.
    pub effect: Effect,
    pub condition: Value,
    pub statement: StatementRef,
}

/// A request the subject is allowed, and why.
#[derive(Debug, Clone)]
pub struct Decided {
    pub access: Access,
    /// The Allow statements that grant it.
    pub granted_by: Vec<StatementRef>,
    /// For [`Access::Conditional`]: what must (not) hold.
    pub conditions: Vec<ConditionRef>,
}

impl<'m> Subject<'m> {
    /// Adds the inline and attached policies of principal `owner` (the subject itself, or
    /// its group `via`), as policies of type `ty`.
    pub(super) fn add_policies_of(
        &mut self,
        owner: usize,
        via: Option<usize>,
        ty: PolicySourceType,
    ) {
        let who = &self.account.principals[owner];
        for inline in &who.inline {
            self.input.identity_policies.push(NamedPolicy::new(
                inline.name.clone(),
                ty,
                inline.policy.clone(),
            ));
            self.sources.push(Source::Inline { owner, via });
        }
        for &m in &who.attached {
            let policy = &self.account.policies[m];
            let ty = match (ty, policy.aws_managed) {
                (PolicySourceType::Group, _) => PolicySourceType::Group,
                (_, true) => PolicySourceType::AwsManaged,
                (_, false) => PolicySourceType::UserManaged,
            };
            self.input.identity_policies.push(NamedPolicy::new(
                policy.name.clone(),
                ty,
                policy.default.clone(),
            ));
            self.sources.push(Source::Managed { policy: m, via });
        }
    }

    pub fn principal(&self) -> &'m Principal {
        &self.account.principals[self.index]
    }

    /// Evaluates `action` on `resource` with `resource_policy` (a bucket or key policy, a
    /// role's trust policy) given as the resource's; `None` when the engine refuses it even
    /// with every condition in the principal's favour.
    pub fn decide(
        &self,
        action: &str,
        resource: &str,
        resource_policy: Option<&NamedPolicy>,
    ) -> Option<Decided> {
        self.decide_in(action, resource, resource_policy, &[])
    }

    /// [`Subject::decide`] with condition context (`iam:PassedToService`, ...).
    pub fn decide_in(
        &self,
        action: &str,
        resource: &str,
        resource_policy: Option<&NamedPolicy>,
        context: &[(&str, &str)],
    ) -> Option<Decided> {
        let account = resource_account(resource)
            .or(self.account.account_id.as_deref())
            .unwrap_or_default()
            .to_string();
        let mut request = Request::new(action, resource)
            .principal(self.principal().arn.clone())
            .resource_account(account);
        for (key, value) in context {
            request = request.context_value(*key, *value);
        }
        // Without a resource policy that could grant the caller more than its account
        // (which leaves the decision to the identity policies), the engine allows only
        // what an identity Allow covers (and, under a boundary, a boundary Allow too);
        // sts:GetCallerIdentity aside, a request no such statement names is refused
        // without evaluating it.
        let lower = request.action_lower();
        let grant = resource_policy
            .and_then(|rp| who_can::may_grant(&rp.policy, &self.principal().arn, lower));
        if grant.is_none_or(|g| g == crate::PrincipalGrant::Account) {
            let covers = |p: &NamedPolicy| {
                p.policy
                    .statements()
                    .iter()
                    .any(|s| s.effect == Some(Effect::Allow) && s.covers_action(lower))
            };
            if lower != "sts:getcalleridentity"
                && (!self.input.identity_policies.iter().any(covers)
                    || self
                        .input
                        .permissions_boundary
                        .as_ref()
                        .is_some_and(|b| !covers(b)))
            {
                return None;
            }
        }
        let with_resource;
        let input = match resource_policy {
            Some(rp) => {
                with_resource = EvaluationInput {
                    identity_policies: self.input.identity_policies.clone(),
                    permissions_boundary: self.input.permissions_boundary.clone(),
                    resource_policy: Some(rp.clone()),
                    ..EvaluationInput::default()
                };
                &with_resource
            }
            None => &self.input,
        };
        let strict = evaluate(input, &request);
        if strict.decision == Decision::Allowed {
            return Some(Decided {
                access: Access::Allowed,
                granted_by: self.allows(input, &strict),
                conditions: Vec::new(),
            });
        }
        // Assuming conditions changes only the statements that got as far as their
        // conditions: an implicit deny where no condition failed stays one.
        if strict.decision == Decision::ImplicitDeny
            && !strict
                .explanation
                .statements
                .iter()
                .any(|t| matches!(t.outcome, StatementOutcome::ConditionNotMet { .. }))
        {
            return None;
        }
        let possible = evaluate(input, &request.assume_conditions(true));
        if possible.decision != Decision::Allowed {
            return None;
        }
        let granted_by = self.allows(input, &possible);
        let mut conditions = Vec::new();
        for m in possible
            .matched_statements
            .iter()
            .filter(|m| m.effect == Effect::Allow)
        {
            if let Some((stmt, r)) = self.statement(input, m.source_policy_id, m.statement_index)
                && let Some(c) = stmt.condition_json()
            {
                conditions.push(ConditionRef {
                    effect: Effect::Allow,
                    condition: c,
                    statement: r,
                });
            }
        }
        for t in &possible.explanation.statements {
            if let StatementOutcome::ConditionNotMet {
                reason: ConditionFailure::AssumedNotToHold,
                ..
            } = t.outcome
                && let Some((stmt, r)) = self.statement(input, t.policy_id, t.statement_index)
                && let Some(c) = stmt.condition_json()
            {
                conditions.push(ConditionRef {
                    effect: Effect::Deny,
                    condition: c,
                    statement: r,
                });
            }
        }
        Some(Decided {
            access: Access::Conditional,
            granted_by,
            conditions,
        })
    }

    /// The Allow statements an allowing evaluation matched.
    fn allows(&self, input: &EvaluationInput, e: &Evaluation<'_>) -> Vec<StatementRef> {
        e.matched_statements
            .iter()
            .filter(|m| m.effect == Effect::Allow)
            .filter_map(|m| {
                self.statement(input, m.source_policy_id, m.statement_index)
                    .map(|(_, r)| r)
            })
            .collect()
    }

    /// The statement an evaluation names by its policy's id (one of `input`'s, by address)
    /// and index, with its reference.
    fn statement<'i>(
        &self,
        input: &'i EvaluationInput,
        policy_id: &str,
        index: usize,
    ) -> Option<(&'i crate::Statement, StatementRef)> {
        let same = |p: &NamedPolicy| std::ptr::eq(p.id.as_str(), policy_id);
        let (named, mut r) = if let Some(k) = input.identity_policies.iter().position(same) {
            let named = &input.identity_policies[k];
            (named, self.source_ref(self.sources.get(k).copied(), named))
        } else if let Some(b) = input.permissions_boundary.as_ref().filter(|p| same(p)) {
            let arn = self.principal().boundary.map(|i| &self.account.policies[i]);
            (
                b,
                StatementRef {
                    policy_type: "boundary",
                    policy_name: b.id.clone(),
                    policy_arn: arn.map(|p| p.arn.clone()),
                    group: None,
                    owner: None,
                    sid: None,
                    statement_index: index,
                },
            )
        } else {
            let rp = input.resource_policy.as_ref().filter(|p| same(p))?;
            (
                rp,
                StatementRef {
                    policy_type: if rp.id.starts_with("trust policy") {
                        "trust"
                    } else {
                        "resource"
                    },
                    policy_name: rp.id.clone(),
                    policy_arn: None,
                    group: None,
                    owner: None,
                    sid: None,
                    statement_index: index,
                },
            )
        };
        let stmt = named
            .policy
            .statements()
            .iter()
            .find(|s| s.index() == index)?;
        r.sid = stmt.sid().map(str::to_string);
        r.statement_index = index;
        Some((stmt, r))
    }

    fn source_ref(&self, source: Option<Source>, named: &NamedPolicy) -> StatementRef {
        let group_name = |via: Option<usize>| via.map(|g| self.account.principals[g].name.clone());
        let (policy_type, policy_arn, group, owner) = match source {
            Some(Source::Managed { policy, via }) => {
                let m = &self.account.policies[policy];
                (
                    if m.aws_managed {
                        "aws-managed"
                    } else {
                        "managed"
                    },
                    Some(m.arn.clone()),
                    group_name(via),
                    None,
                )
            }
            Some(Source::Inline { owner, via }) => (
                "inline",
                None,
                group_name(via),
                Some(self.account.principals[owner].arn.clone()),
            ),
            None => ("inline", None, None, None),
        };
        StatementRef {
            policy_type,
            policy_name: named.id.clone(),
            policy_arn,
            group,
            owner,
            sid: None,
            statement_index: 0,
        }
    }

    /// The policies evaluated, each said as `managed <arn>`, `inline <name> of <arn>`
    /// (with `via group <name>` for a group's) and `boundary <arn>`.
    pub fn policy_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .sources
            .iter()
            .zip(&self.input.identity_policies)
            .map(|(source, named)| {
                let r = self.source_ref(Some(*source), named);
                let what = match (&r.policy_arn, &r.owner) {
                    (Some(arn), _) => format!("{} {arn}", r.policy_type),
                    (None, Some(owner)) => format!("inline {} of {owner}", r.policy_name),
                    (None, None) => format!("inline {}", r.policy_name),
                };
                match &r.group {
                    Some(g) => format!("{what} (via group {g})"),
                    None => what,
                }
            })
            .collect();
        if let Some(b) = self.principal().boundary {
            out.push(format!("boundary {}", self.account.policies[b].arn));
        }
        out
    }

    /// The identity policies' statements with their references, for callers that look
    /// at statements before evaluating (what actions could be granted at all).
    fn identity_statements(&self) -> impl Iterator<Item = &crate::Statement> {
        self.input
            .identity_policies
            .iter()
            .flat_map(|p| p.policy.statements())
    }
}

/// The catalog action closest to a mistyped `service:Action` (within its service when the
/// service is known).
pub fn closest_action(action: &str) -> Option<String> {
    let c = crate::catalog::catalog();
    let (service, name) = action.split_once(':')?;
    match c.service(&service.to_ascii_lowercase()) {
        Some(s) => crate::validate::closest(name, c.actions_of(s).map(|a| a.name()))
            .map(|n| format!("{}:{n}", s.prefix)),
        None => {
            let prefixes = c.services().iter().map(|s| s.prefix);
            crate::validate::closest(service, prefixes).map(|p| format!("{p}:{name}"))
        }
    }
}

/// The account field of an ARN, when it has one (S3 buckets have none).
fn resource_account(resource: &str) -> Option<&str> {
    resource.split(':').nth(4).filter(|a| !a.is_empty())
}

/// A role's trust policy as the resource policy of `sts:AssumeRole` on it.
fn trust_as_resource_policy(role: &Principal) -> Option<NamedPolicy> {
    role.trust.as_ref().map(|t| {
        NamedPolicy::new(
            format!("trust policy of role {}", role.name),
            PolicySourceType::Resource,
            t.clone(),
        )
    })
}
