//! The decision logic of the IAM User Guide's "Policy evaluation logic", with an
//! explanation of every decision.
//!
//! Order of evaluation:
//! 1. `sts:GetCallerIdentity` is always allowed (no policy can deny it).
//! 2. Any applicable `Deny` (identity, boundary, session, resource policy, SCP at any
//!    level, RCP at any level) is an explicit deny.
//! 3. Every SCP level must allow (IAM callers only; SCPs never limit anonymous callers or
//!    service principals). RCPs contribute denies only: RCPFullAWSAccess is implicitly
//!    attached at every level.
//! 4. Service rules that deny regardless of policies (AWS managed policies and
//!    `aws-reserved` roles cannot be modified; `alias/aws/*` KMS aliases are managed).
//! 5. Identity side: an identity policy must allow, and the permissions boundary and
//!    session policy (when present) must allow too.
//! 6. Resource side: same account, either side suffices, except that a resource policy
//!    grant to the caller's role is limited by the boundary/session policy, a grant to
//!    the account only delegates to identity policies, and role trust policies and KMS
//!    key policies must allow explicitly. Cross-account, both sides must allow.

use serde::Serialize;
use std::sync::Arc;

use super::condition::ConditionFailure;
use super::document::{Effect, Policy, ResourceBlock, Statement};
use super::matching::{ArnParts, Caller, PrincipalGrant, ReqResource, ResMatch, ShortArnMode};
use super::positions::Position;
use super::request::{Context, Request};

/// Where a policy comes from, with AWS's SourcePolicyType names where AWS has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySourceType {
    /// Inline policy of a user.
    User,
    /// Inline or attached policy of a group.
    Group,
    /// Inline policy of a role.
    Role,
    /// AWS managed policy.
    AwsManaged,
    /// Customer managed policy.
    UserManaged,
    /// A resource-based policy (bucket policy, key policy, trust policy...).
    Resource,
    /// A permissions boundary.
    PermissionsBoundary,
    /// A session policy.
    Session,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
    /// A policy given directly to a simulation.
    None,
}

impl PolicySourceType {
    fn label(self) -> &'static str {
        match self {
            PolicySourceType::User => "user inline policy",
            PolicySourceType::Group => "group policy",
            PolicySourceType::Role => "role inline policy",
            PolicySourceType::AwsManaged => "AWS managed policy",
            PolicySourceType::UserManaged => "customer managed policy",
            PolicySourceType::Resource => "resource-based policy",
            PolicySourceType::PermissionsBoundary => "permissions boundary",
            PolicySourceType::Session => "session policy",
            PolicySourceType::Scp => "SCP",
            PolicySourceType::Rcp => "RCP",
            PolicySourceType::None => "policy",
        }
    }
}

/// A parsed policy with its identifier and source.
#[derive(Debug, Clone)]
pub struct NamedPolicy {
    /// Identifier reported as SourcePolicyId (policy name, ARN, or a caller-chosen id).
    pub id: String,
    pub source_type: PolicySourceType,
    /// Shared: the account analysis gives one managed policy to every principal it is
    /// attached to without copying it.
    pub policy: Arc<Policy>,
}

impl NamedPolicy {
    pub fn new(
        id: impl Into<String>,
        source_type: PolicySourceType,
        policy: impl Into<Arc<Policy>>,
    ) -> NamedPolicy {
        NamedPolicy {
            id: id.into(),
            source_type,
            policy: policy.into(),
        }
    }
}

/// Every policy that takes part in a decision.
#[derive(Debug, Clone, Default)]
pub struct EvaluationInput {
    /// Identity-based policies of the caller (its own, its groups', managed and inline).
    pub identity_policies: Vec<NamedPolicy>,
    pub permissions_boundary: Option<NamedPolicy>,
    /// Session policy passed when the session was created (AssumeRole, GetFederationToken).
    pub session_policy: Option<NamedPolicy>,
    /// The resource's policy (bucket policy, key policy, role trust policy, ...).
    pub resource_policy: Option<NamedPolicy>,
    /// SCPs, one list per organization level from the root down; every level must allow.
    /// `None` when the account is not governed by SCPs.
    pub scp_levels: Option<Vec<Vec<NamedPolicy>>>,
    /// RCPs, one list per level; RCPFullAWSAccess is implicitly present at every level.
    pub rcp_levels: Option<Vec<Vec<NamedPolicy>>>,
}

/// `allowed`, `explicitDeny` or `implicitDeny`, as AWS's EvalDecision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    /// The AWS spelling (`allowed`, `explicitDeny`, `implicitDeny`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role a policy plays in the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "level")]
pub enum PolicyRole {
    Identity,
    PermissionsBoundary,
    Session,
    Resource,
    /// SCP at the given organization level (0 = root).
    Scp(usize),
    /// RCP at the given level.
    Rcp(usize),
}

/// A statement that decided the outcome (AWS's MatchedStatements entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MatchedStatement<'a> {
    pub source_policy_id: &'a str,
    pub source_policy_type: PolicySourceType,
    /// 0-based index of the statement in its policy.
    pub statement_index: usize,
    pub sid: Option<&'a str>,
    pub effect: Effect,
    /// Where the statement starts in the policy text (when it was parsed from text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_position: Option<Position>,
}

/// AWS's PermissionsBoundaryDecisionDetail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundaryDecision {
    pub allowed_by_permissions_boundary: bool,
}

/// Why one statement applied or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "outcome")]
pub enum StatementOutcome<'a> {
    /// Action, resource, principal and every condition matched.
    Applies,
    /// Effect or Action was missing or invalid: the statement is ignored.
    Invalid,
    /// The request action is not in Action (or is in NotAction).
    ActionNotMatched { not_action: bool },
    /// The request resource is not in Resource (or is in NotResource), or an entry
    /// could not be evaluated (rejected truncated ARN, unresolved variable).
    ResourceNotMatched { not_resource: bool },
    /// A resource-policy statement without Principal / NotPrincipal never applies.
    NoPrincipal,
    /// The caller is not in Principal (or is in NotPrincipal).
    PrincipalNotMatched,
    /// A condition did not hold.
    ConditionNotMet {
        operator: &'a str,
        key: &'a str,
        reason: ConditionFailure,
    },
}

impl std::fmt::Display for StatementOutcome<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatementOutcome::Applies => f.write_str("applies"),
            StatementOutcome::Invalid => f.write_str("ignored: invalid Effect or Action"),
            StatementOutcome::ActionNotMatched { not_action: false } => {
                f.write_str("does not apply: the action is not in Action")
            }
            StatementOutcome::ActionNotMatched { not_action: true } => {
                f.write_str("does not apply: the action is excluded by NotAction")
            }
            StatementOutcome::ResourceNotMatched {
                not_resource: false,
            } => f.write_str("does not apply: the resource is not in Resource"),
            StatementOutcome::ResourceNotMatched { not_resource: true } => {
                f.write_str("does not apply: the resource is excluded by NotResource")
            }
            StatementOutcome::NoPrincipal => {
                f.write_str("does not apply: resource-policy statement has no Principal")
            }
            StatementOutcome::PrincipalNotMatched => {
                f.write_str("does not apply: principal not matched")
            }
            StatementOutcome::ConditionNotMet {
                operator,
                key,
                reason,
            } => {
                write!(
                    f,
                    "does not apply: condition {operator} on {key} failed ({reason})"
                )
            }
        }
    }
}

/// The evaluation of one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTrace<'a> {
    pub policy_id: &'a str,
    pub policy_type: PolicySourceType,
    pub role: PolicyRole,
    pub statement_index: usize,
    pub sid: Option<&'a str>,
    pub effect: Option<Effect>,
    #[serde(skip)]
    pub span: Option<(Position, Position)>,
    #[serde(flatten)]
    pub outcome: StatementOutcome<'a>,
    /// For an applying resource-policy Allow: how the principal matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<PrincipalGrant>,
}

/// A decision-level reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum Reason {
    /// `sts:GetCallerIdentity` needs no permission.
    AlwaysAllowed,
    /// An applicable Deny statement (see MatchedStatements).
    ExplicitDeny,
    /// No SCP at this organization level allows the action.
    ScpLevelDoesNotAllow { level: usize },
    /// A service rule denies the request whatever the policies say.
    ServiceRule { rule: &'static str },
    /// No identity-based policy allows the action.
    NoIdentityAllow,
    /// The permissions boundary does not allow the action.
    BoundaryDoesNotAllow,
    /// The session policy does not allow the action.
    SessionPolicyDoesNotAllow,
    /// The resource policy allows only the caller's account, which delegates to the
    /// caller's identity-based policies.
    ResourcePolicyGrantsAccountOnly,
    /// The resource policy grants the caller's role, but the role's boundary or session
    /// policy does not allow the action.
    RoleGrantLimited,
    /// This resource (role trust policy, KMS key policy) must allow the caller explicitly.
    ResourcePolicyRequired { what: &'static str },
    /// Cross-account access needs the resource policy to allow.
    CrossAccountNeedsResourcePolicy,
    /// Cross-account access needs the caller's identity side to allow.
    CrossAccountNeedsIdentity,
    /// Anonymous and service callers are allowed only by a resource policy.
    NeedsResourcePolicy { caller: &'static str },
    /// Allowed by identity-based policies (within boundary and session policy).
    AllowedByIdentity,
    /// Allowed by the resource-based policy.
    AllowedByResourcePolicy,
    /// Allowed by both sides (cross-account, or a grant that needed both).
    AllowedByBoth,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::AlwaysAllowed => f.write_str("sts:GetCallerIdentity is always allowed"),
            Reason::ExplicitDeny => f.write_str("an applicable Deny statement overrides every Allow"),
            Reason::ScpLevelDoesNotAllow { level } => write!(f, "no SCP at organization level {level} allows the action"),
            Reason::ServiceRule { rule } => f.write_str(rule),
            Reason::NoIdentityAllow => f.write_str("no identity-based policy allows the action"),
            Reason::BoundaryDoesNotAllow => f.write_str("the permissions boundary does not allow the action"),
            Reason::SessionPolicyDoesNotAllow => f.write_str("the session policy does not allow the action"),
            Reason::ResourcePolicyGrantsAccountOnly => f.write_str(
                "the resource policy grants the caller's account, which delegates to its identity-based policies",
            ),
            Reason::RoleGrantLimited => f.write_str(
                "the resource policy grants the caller's role, but its permissions boundary or session policy does not allow the action",
            ),
            Reason::ResourcePolicyRequired { what } => write!(f, "the {what} must allow the caller explicitly"),
            Reason::CrossAccountNeedsResourcePolicy => f.write_str("cross-account request: the resource policy does not allow the caller"),
            Reason::CrossAccountNeedsIdentity => f.write_str(
                "cross-account request: the caller's identity-based policies (within boundary and session policy) must allow too",
            ),
            Reason::NeedsResourcePolicy { caller } => write!(f, "{caller} callers are allowed only by a resource policy, and none allows"),
            Reason::AllowedByIdentity => f.write_str("allowed by identity-based policy"),
            Reason::AllowedByResourcePolicy => f.write_str("allowed by the resource-based policy"),
            Reason::AllowedByBoth => f.write_str("allowed by identity-based and resource-based policies"),
        }
    }
}

/// The explanation of a decision: decision-level reasons, then every statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation<'a> {
    pub reasons: Vec<Reason>,
    /// What the service catalog says about the request resource, when it changes the
    /// evaluation.
    pub resource: Option<ResourceNote>,
    pub statements: Vec<StatementTrace<'a>>,
}

/// The result of [`evaluate`]. Field names serialize as AWS's EvaluationResults members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Evaluation<'a> {
    #[serde(rename = "EvalDecision")]
    pub decision: Decision,
    pub matched_statements: Vec<MatchedStatement<'a>>,
    /// Condition keys (and policy variables) that statements needed and the request
    /// context lacked, as written in the policies.
    pub missing_context_values: Vec<String>,
    #[serde(
        rename = "PermissionsBoundaryDecisionDetail",
        skip_serializing_if = "Option::is_none"
    )]
    pub boundary_decision: Option<BoundaryDecision>,
    pub explanation: Explanation<'a>,
}

impl Evaluation<'_> {
    /// The explanation as human-readable lines: the decision and its reasons, then one
    /// line per statement. `request` is the request that was evaluated (it supplies the
    /// action, resource, caller and context values quoted in the lines).
    pub fn explanation_lines(&self, request: &Request) -> Vec<String> {
        let mut lines = Vec::with_capacity(3 + self.explanation.statements.len());
        let r = request;
        lines.push(format!(
            "decision: {} for {} on {} by {}",
            self.decision,
            r.action(),
            r.resource(),
            match r.principal_arn() {
                Some(p) => p,
                None if r.is_anonymous() => "an anonymous caller",
                None => "an unnamed caller",
            }
        ));
        for r in &self.explanation.reasons {
            lines.push(format!("reason: {r}"));
        }
        if let Some(note) = &self.explanation.resource {
            lines.push(format!("resource: {note}"));
        }
        if let Some(b) = self.boundary_decision {
            lines.push(format!(
                "permissions boundary: {}",
                if b.allowed_by_permissions_boundary {
                    "allows"
                } else {
                    "does not allow"
                }
            ));
        }
        if !self.missing_context_values.is_empty() {
            lines.push(format!(
                "missing context values: {}",
                self.missing_context_values.join(", ")
            ));
        }
        for t in &self.explanation.statements {
            let level = match t.role {
                PolicyRole::Scp(l) | PolicyRole::Rcp(l) => format!(" level {l}"),
                _ => String::new(),
            };
            let sid = t.sid.map(|s| format!(" (Sid {s:?})")).unwrap_or_default();
            let effect = match t.effect {
                Some(Effect::Allow) => "Allow",
                Some(Effect::Deny) => "Deny",
                None => "?",
            };
            let detail = match &t.outcome {
                StatementOutcome::ConditionNotMet { key, .. } => match r.context().values(key) {
                    Some(values) => format!("; request value {values:?}"),
                    None => "; key absent from the request".to_owned(),
                },
                _ => String::new(),
            };
            lines.push(format!(
                "{}{} {:?} statement {}{} [{}]: {}{}",
                t.policy_type.label(),
                level,
                t.policy_id,
                t.statement_index,
                sid,
                effect,
                t.outcome,
                detail
            ));
        }
        lines
    }
}

/// What the service catalog says about a request's resource, when it decides the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "Kind")]
pub enum ResourceNote {
    /// The action takes no resource (`s3:ListAllMyBuckets`, `ec2:DescribeInstances`): the
    /// request's resource is the string `*`, which only a Resource matching `*` names
    /// (`arn:aws:s3:::*` does not).
    WildcardOnly { action: String, given: String },
    /// The request names a resource of none of the action's resource types (an object ARN
    /// for `s3:ListBucket`): AWS never makes such a request. The statements are still
    /// matched against it as written, as AWS's simulator does.
    NotAResourceOfTheAction {
        action: String,
        resource: String,
        types: Vec<String>,
    },
}

impl ResourceNote {
    fn of(request: &Request) -> Option<ResourceNote> {
        let known = crate::catalog::catalog().action(request.action());
        let given = request.resource();
        if request.is_wildcard_only_action() || known.is_some_and(|a| a.wildcard_only()) {
            let action = known.map_or_else(|| request.action().to_owned(), |a| a.full_name());
            return Some(ResourceNote::WildcardOnly {
                action,
                given: given.to_owned(),
            });
        }
        let action = known?;
        if given == "*" || !given.starts_with("arn:") || given.contains(['*', '?']) {
            return None;
        }
        if action.resource_types().any(|(rt, _)| rt.matches(given)) {
            return None;
        }
        Some(ResourceNote::NotAResourceOfTheAction {
            action: action.full_name(),
            resource: given.to_owned(),
            types: action
                .resource_types()
                .map(|(rt, _)| rt.name.to_owned())
                .collect(),
        })
    }
}

impl std::fmt::Display for ResourceNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceNote::WildcardOnly { action, given } if given == "*" => write!(
                f,
                "{action} supports only \"*\" as its resource, so only statements whose Resource matches the string \"*\" can allow it (\"arn:aws:s3:::*\" and other ARNs do not)"
            ),
            ResourceNote::WildcardOnly { action, given } => write!(
                f,
                "{action} supports only \"*\" as its resource: the request was evaluated for \"*\", not {given:?}; only statements whose Resource matches the string \"*\" can allow it"
            ),
            ResourceNote::NotAResourceOfTheAction {
                action,
                resource,
                types,
            } => write!(
                f,
                "{resource} is not a resource {action} acts on (its resource types: {}): AWS never makes this request, so the decision says only how the statements match the text; simulate it on a resource of one of those types",
                types.join(", ")
            ),
        }
    }
}

/// Evaluates one request against a set of policies.
pub fn evaluate<'a>(input: &'a EvaluationInput, request: &Request) -> Evaluation<'a> {
    let mut ev = Evaluator::new(input, request);
    ev.run()
}

struct Evaluator<'a, 'r> {
    input: &'a EvaluationInput,
    request: &'r Request,
    ctx: &'r Context,
    caller: Caller<'r>,
    resource: ReqResource<'r>,
    traces: Vec<StatementTrace<'a>>,
    missing: Vec<String>,
    /// What the service catalog says about the request resource.
    note: Option<ResourceNote>,
}

/// Per-source summary of the statements that applied.
#[derive(Default, Clone, Copy)]
struct Tally {
    allow: bool,
    deny: bool,
}

impl<'a, 'r> Evaluator<'a, 'r> {
    fn new(input: &'a EvaluationInput, request: &'r Request) -> Self {
        let note = ResourceNote::of(request);
        let text = match note {
            Some(ResourceNote::WildcardOnly { .. }) => "*",
            _ => request.resource(),
        };
        let resource = ReqResource::Value {
            text,
            arn: ArnParts::parse(text),
        };
        let count = input
            .identity_policies
            .iter()
            .map(|p| p.policy.statements().len())
            .sum::<usize>()
            + input
                .permissions_boundary
                .as_ref()
                .map_or(0, |p| p.policy.statements().len())
            + 4;
        Evaluator {
            input,
            request,
            ctx: request.context(),
            caller: Caller::parse(request.principal_arn(), request.is_anonymous()),
            resource,
            traces: Vec::with_capacity(count),
            missing: Vec::new(),
            note,
        }
    }

    fn run(&mut self) -> Evaluation<'a> {
        let action = self.request.action_lower();
        if action == "sts:getcalleridentity" {
            return self.finish(Decision::Allowed, vec![Reason::AlwaysAllowed], None, |_| {
                false
            });
        }
        let iam_caller = self.caller.is_iam();
        let input = self.input;

        let mut identity = Tally::default();
        let mut boundary = Tally::default();
        let mut session = Tally::default();
        if iam_caller {
            for p in &input.identity_policies {
                let t = self.policy(p, PolicyRole::Identity, ShortArnMode::Expand);
                identity.allow |= t.allow;
                identity.deny |= t.deny;
            }
            if let Some(p) = &input.permissions_boundary {
                boundary = self.policy(p, PolicyRole::PermissionsBoundary, ShortArnMode::Expand);
            }
            if let Some(p) = &input.session_policy {
                session = self.policy(p, PolicyRole::Session, ShortArnMode::Expand);
            }
        }
        let mut resource = Tally::default();
        if let Some(p) = &input.resource_policy {
            resource = self.policy(p, PolicyRole::Resource, ShortArnMode::ExpandIfWildcard);
        }
        let mut scp_deny = false;
        let mut scp_gap: Option<usize> = None;
        if iam_caller && let Some(levels) = &input.scp_levels {
            for (level, policies) in levels.iter().enumerate() {
                let mut allow = false;
                for p in policies {
                    let t = self.policy(
                        p,
                        PolicyRole::Scp(level),
                        ShortArnMode::TrailingWildcardOnly,
                    );
                    allow |= t.allow;
                    scp_deny |= t.deny;
                }
                if !allow && scp_gap.is_none() {
                    scp_gap = Some(level);
                }
            }
        }
        let mut rcp_deny = false;
        if !matches!(self.caller, Caller::Service(_))
            && let Some(levels) = &input.rcp_levels
        {
            for (level, policies) in levels.iter().enumerate() {
                for p in policies {
                    rcp_deny |= self
                        .policy(p, PolicyRole::Rcp(level), ShortArnMode::Reject)
                        .deny;
                }
            }
        }

        let boundary_decision =
            (iam_caller && input.permissions_boundary.is_some()).then_some(BoundaryDecision {
                allowed_by_permissions_boundary: boundary.allow && !boundary.deny,
            });

        if identity.deny || boundary.deny || session.deny || resource.deny || scp_deny || rcp_deny {
            return self.finish(
                Decision::ExplicitDeny,
                vec![Reason::ExplicitDeny],
                boundary_decision,
                |t| t.effect == Some(Effect::Deny),
            );
        }
        if let Some(level) = scp_gap {
            return self.finish(
                Decision::ImplicitDeny,
                vec![Reason::ScpLevelDoesNotAllow { level }],
                boundary_decision,
                |_| false,
            );
        }
        if let Some(rule) = service_rule(action, &self.resource) {
            return self.finish(
                Decision::ImplicitDeny,
                vec![Reason::ServiceRule { rule }],
                boundary_decision,
                |_| false,
            );
        }

        let grant = self
            .traces
            .iter()
            .filter(|t| t.role == PolicyRole::Resource && t.effect == Some(Effect::Allow))
            .filter_map(|t| t.grant)
            .max();
        let only_resource = |t: &StatementTrace<'_>| {
            t.role == PolicyRole::Resource && t.effect == Some(Effect::Allow)
        };
        let allow_any = |t: &StatementTrace<'_>| {
            t.effect == Some(Effect::Allow)
                && !matches!(t.role, PolicyRole::Scp(_) | PolicyRole::Rcp(_))
        };

        let caller_kind = match self.caller {
            Caller::Anonymous => Some("anonymous"),
            Caller::Service(_) => Some("service principal"),
            Caller::Iam { .. } | Caller::Unnamed => None,
        };
        if let Some(caller) = caller_kind {
            return if grant.is_some() {
                self.finish(
                    Decision::Allowed,
                    vec![Reason::AllowedByResourcePolicy],
                    boundary_decision,
                    only_resource,
                )
            } else {
                self.finish(
                    Decision::ImplicitDeny,
                    vec![Reason::NeedsResourcePolicy { caller }],
                    boundary_decision,
                    |_| false,
                )
            };
        }

        let boundary_ok = input.permissions_boundary.is_none() || boundary.allow;
        let session_ok = input.session_policy.is_none() || session.allow;
        let identity_ok = identity.allow && boundary_ok && session_ok;
        let mut identity_reasons = Vec::new();
        if !identity.allow {
            identity_reasons.push(Reason::NoIdentityAllow);
        }
        if !boundary_ok {
            identity_reasons.push(Reason::BoundaryDoesNotAllow);
        }
        if !session_ok {
            identity_reasons.push(Reason::SessionPolicyDoesNotAllow);
        }

        let same_account = match (self.caller.account(), self.request.resource_account_id()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let required = resource_policy_required(action, &self.resource);
        if !same_account {
            if grant.is_none() {
                let mut reasons = vec![Reason::CrossAccountNeedsResourcePolicy];
                if !identity_ok {
                    reasons.push(Reason::CrossAccountNeedsIdentity);
                    reasons.extend(identity_reasons);
                }
                return self.finish(Decision::ImplicitDeny, reasons, boundary_decision, |_| {
                    false
                });
            }
            if !identity_ok {
                let mut reasons = vec![Reason::CrossAccountNeedsIdentity];
                reasons.extend(identity_reasons);
                return self.finish(Decision::ImplicitDeny, reasons, boundary_decision, |_| {
                    false
                });
            }
            return self.finish(
                Decision::Allowed,
                vec![Reason::AllowedByBoth],
                boundary_decision,
                allow_any,
            );
        }

        let resource_alone = match grant {
            Some(PrincipalGrant::Direct) => true,
            Some(PrincipalGrant::Role) => boundary_ok && session_ok,
            Some(PrincipalGrant::Account) | None => false,
        };
        if resource_alone {
            return self.finish(
                Decision::Allowed,
                vec![Reason::AllowedByResourcePolicy],
                boundary_decision,
                only_resource,
            );
        }
        if let Some(what) = required {
            if grant.is_some() && identity_ok {
                return self.finish(
                    Decision::Allowed,
                    vec![Reason::AllowedByBoth],
                    boundary_decision,
                    allow_any,
                );
            }
            let mut reasons = vec![Reason::ResourcePolicyRequired { what }];
            match grant {
                Some(PrincipalGrant::Account) => {
                    reasons.push(Reason::ResourcePolicyGrantsAccountOnly);
                    reasons.extend(identity_reasons);
                }
                Some(PrincipalGrant::Role) => reasons.push(Reason::RoleGrantLimited),
                _ => {}
            }
            return self.finish(Decision::ImplicitDeny, reasons, boundary_decision, |_| {
                false
            });
        }
        if identity_ok {
            return self.finish(
                Decision::Allowed,
                vec![Reason::AllowedByIdentity],
                boundary_decision,
                allow_any,
            );
        }
        let mut reasons = identity_reasons;
        match grant {
            Some(PrincipalGrant::Account) => reasons.push(Reason::ResourcePolicyGrantsAccountOnly),
            Some(PrincipalGrant::Role) => reasons.push(Reason::RoleGrantLimited),
            _ => {}
        }
        self.finish(Decision::ImplicitDeny, reasons, boundary_decision, |_| {
            false
        })
    }

    fn finish(
        &mut self,
        decision: Decision,
        reasons: Vec<Reason>,
        boundary_decision: Option<BoundaryDecision>,
        matched: impl Fn(&StatementTrace<'_>) -> bool,
    ) -> Evaluation<'a> {
        let matched_statements = self
            .traces
            .iter()
            .filter(|t| t.outcome == StatementOutcome::Applies && matched(t))
            .filter_map(|t| {
                Some(MatchedStatement {
                    source_policy_id: t.policy_id,
                    source_policy_type: t.policy_type,
                    statement_index: t.statement_index,
                    sid: t.sid,
                    effect: t.effect?,
                    start_position: t.span.map(|s| s.0),
                    end_position: t.span.map(|s| s.1),
                })
            })
            .collect();
        Evaluation {
            decision,
            matched_statements,
            missing_context_values: std::mem::take(&mut self.missing),
            boundary_decision,
            explanation: Explanation {
                reasons,
                resource: self.note.clone(),
                statements: std::mem::take(&mut self.traces),
            },
        }
    }

    fn policy(&mut self, named: &'a NamedPolicy, role: PolicyRole, mode: ShortArnMode) -> Tally {
        let mut tally = Tally::default();
        for stmt in named.policy.statements() {
            let (outcome, grant) = self.statement(stmt, role, mode);
            if outcome == StatementOutcome::Applies {
                match stmt.effect {
                    Some(Effect::Allow) => tally.allow = true,
                    Some(Effect::Deny) => tally.deny = true,
                    None => {}
                }
            }
            self.traces.push(StatementTrace {
                policy_id: &named.id,
                policy_type: named.source_type,
                role,
                statement_index: stmt.index,
                sid: stmt.sid.as_deref(),
                effect: stmt.effect,
                span: stmt.span,
                outcome,
                grant,
            });
        }
        tally
    }

    fn note_missing(missing: &mut Vec<String>, key: &str) {
        if !missing.iter().any(|m| m.eq_ignore_ascii_case(key)) {
            missing.push(key.to_owned());
        }
    }

    fn statement(
        &mut self,
        stmt: &'a Statement,
        role: PolicyRole,
        mode: ShortArnMode,
    ) -> (StatementOutcome<'a>, Option<PrincipalGrant>) {
        let (Some(effect), Some(action)) = (stmt.effect, &stmt.action) else {
            return (StatementOutcome::Invalid, None);
        };
        let action_lower = self.request.action_lower();
        if !action.covers(action_lower) {
            return (
                StatementOutcome::ActionNotMatched {
                    not_action: action.not,
                },
                None,
            );
        }
        if let Some(block) = &stmt.resource {
            let missing = &mut self.missing;
            if !resource_applies(block, self.resource, self.ctx, mode, &mut |k| {
                Self::note_missing(missing, k)
            }) {
                return (
                    StatementOutcome::ResourceNotMatched {
                        not_resource: block.not,
                    },
                    None,
                );
            }
        }
        let mut grant = None;
        let principal_applies = matches!(role, PolicyRole::Resource | PolicyRole::Rcp(_));
        if principal_applies {
            match &stmt.principal {
                None if role == PolicyRole::Resource => {
                    return (StatementOutcome::NoPrincipal, None);
                }
                None => {}
                Some(block) if block.not => {
                    // A Deny with NotPrincipal denies every principal that has a
                    // permissions boundary, whatever NotPrincipal lists (User Guide,
                    // "Permissions boundaries for IAM entities").
                    let has_boundary =
                        self.input.permissions_boundary.is_some() && self.caller.is_iam();
                    let excluded = block
                        .entries
                        .iter()
                        .any(|e| e.matches(&self.caller, true).is_some());
                    if excluded && !(effect == Effect::Deny && has_boundary) {
                        return (StatementOutcome::PrincipalNotMatched, None);
                    }
                    grant = Some(PrincipalGrant::Direct);
                }
                Some(block) => {
                    grant = block
                        .entries
                        .iter()
                        .filter_map(|e| e.matches(&self.caller, false))
                        .max();
                    if grant.is_none() {
                        return (StatementOutcome::PrincipalNotMatched, None);
                    }
                }
            }
        }
        if self.request.assumes_conditions()
            && let Some(first) = stmt.conditions.first()
            && effect == Effect::Deny
        {
            return (
                StatementOutcome::ConditionNotMet {
                    operator: &first.operator_name,
                    key: &first.key,
                    reason: ConditionFailure::AssumedNotToHold,
                },
                None,
            );
        }
        if self.request.assumes_conditions() {
            return (StatementOutcome::Applies, grant);
        }
        let missing = &mut self.missing;
        for cond in &stmt.conditions {
            if let Err(reason) = cond.evaluate(self.ctx, &mut |k| Self::note_missing(missing, k)) {
                return (
                    StatementOutcome::ConditionNotMet {
                        operator: &cond.operator_name,
                        key: &cond.key,
                        reason,
                    },
                    None,
                );
            }
        }
        (StatementOutcome::Applies, grant)
    }
}

/// Whether a Resource / NotResource block covers the request resource; `missing` hears
/// of every variable it could not resolve.
fn resource_applies(
    block: &ResourceBlock,
    resource: ReqResource<'_>,
    ctx: &Context,
    mode: ShortArnMode,
    missing: &mut dyn FnMut(&str),
) -> bool {
    let mut any_match = false;
    let mut any_error = false;
    for p in &block.patterns {
        match p.matches(resource, ctx, mode) {
            Ok(ResMatch::Match) => any_match = true,
            Ok(ResMatch::NoMatch) => {}
            Ok(ResMatch::Error) => any_error = true,
            Err(u) => {
                missing(&u.0);
                any_error = true;
            }
        }
        if any_match && !block.not {
            break;
        }
    }
    if block.not {
        !any_match && !any_error
    } else {
        any_match
    }
}

/// A request's action and resource as an identity policy's statements are matched against
/// them, to tell cheaply which statements can apply at all (whatever their conditions).
pub(crate) struct Target<'r> {
    action_lower: &'r str,
    resource: ReqResource<'r>,
    ctx: &'r Context,
}

impl<'r> Target<'r> {
    pub(crate) fn new(request: &'r Request) -> Target<'r> {
        // As the evaluator sees it: an action that supports only `*` is asked on `*`.
        let text = match ResourceNote::of(request) {
            Some(ResourceNote::WildcardOnly { .. }) => "*",
            _ => request.resource(),
        };
        Target {
            action_lower: request.action_lower(),
            resource: ReqResource::Value {
                text,
                arn: ArnParts::parse(text),
            },
            ctx: request.context(),
        }
    }

    /// The statement is an Allow whose Action and Resource (as an identity policy's) cover
    /// the request: unless it does, it cannot allow the request.
    pub(crate) fn allow_may_apply(&self, stmt: &Statement) -> bool {
        let (Some(Effect::Allow), Some(action)) = (stmt.effect, &stmt.action) else {
            return false;
        };
        action.covers(self.action_lower)
            && stmt.resource.as_ref().is_none_or(|block| {
                resource_applies(
                    block,
                    self.resource,
                    self.ctx,
                    ShortArnMode::Expand,
                    &mut |_| {},
                )
            })
    }
}

/// Services whose resources need their resource policy to allow the caller explicitly.
fn resource_policy_required(action: &str, resource: &ReqResource<'_>) -> Option<&'static str> {
    let ReqResource::Value { arn: Some(arn), .. } = resource else {
        return None;
    };
    if arn.service == "iam"
        && arn.resource.starts_with("role/")
        && matches!(
            action,
            "sts:assumerole"
                | "sts:assumerolewithsaml"
                | "sts:assumerolewithwebidentity"
                | "sts:tagsession"
                | "sts:setsourceidentity"
        )
    {
        return Some("role trust policy");
    }
    if arn.service == "kms" && arn.resource.starts_with("key/") && action.starts_with("kms:") {
        return Some("KMS key policy");
    }
    None
}

/// Requests that AWS refuses whatever the policies say.
fn service_rule(action: &str, resource: &ReqResource<'_>) -> Option<&'static str> {
    let ReqResource::Value { arn: Some(arn), .. } = resource else {
        return None;
    };
    if let Some(name) = action.strip_prefix("iam:") {
        let read = ["get", "list", "generate", "simulate"]
            .iter()
            .any(|p| name.starts_with(p));
        if !read && arn.service == "iam" {
            if arn.account == "aws" && arn.resource.starts_with("policy/") {
                return Some("AWS managed policies cannot be modified");
            }
            if arn.resource.starts_with("role/aws-reserved/") {
                return Some(
                    "roles under /aws-reserved/ are managed by AWS and cannot be modified",
                );
            }
            if arn.resource.starts_with("role/aws-service-role/")
                && matches!(
                    name,
                    "attachrolepolicy"
                        | "detachrolepolicy"
                        | "putrolepolicy"
                        | "deleterolepolicy"
                        | "updateassumerolepolicy"
                        | "deleterole"
                        | "putrolepermissionsboundary"
                        | "deleterolepermissionsboundary"
                )
            {
                return Some("service-linked roles can only be changed by their service");
            }
        }
    }
    if arn.service == "kms"
        && arn.resource.starts_with("alias/aws/")
        && matches!(
            action,
            "kms:createalias" | "kms:deletealias" | "kms:updatealias"
        )
    {
        return Some("alias/aws/* KMS aliases are managed by AWS");
    }
    None
}
