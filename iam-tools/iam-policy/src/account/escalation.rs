//! Who can become admin, and how: every known privilege-escalation method as an edge of a
//! graph of principals, each decided by the engine with its preconditions, and one shortest
//! path per principal.
//!
//! An admin holds admin-equivalent access already: the engine allows it, outright, a probe
//! set of actions across IAM and other services on any resource. The methods:
//!
//! - on itself (to admin): iam:AttachUserPolicy / PutUserPolicy on itself, AttachGroupPolicy
//!   / PutGroupPolicy on one of its groups, AttachRolePolicy / PutRolePolicy on itself,
//!   CreatePolicyVersion on a customer managed policy attached to it (a new default
//!   version), SetDefaultPolicyVersion to a stored version that makes it admin,
//!   AddUserToGroup into a group whose policies make it admin, and
//!   Delete/PutUserPermissionsBoundary or Delete/PutRolePermissionsBoundary on itself when
//!   the boundary is what holds it back; each only when the result really is admin (a
//!   boundary or an explicit deny can keep an attached AdministratorAccess from working);
//! - to another principal: sts:AssumeRole where the role's trust policy and the caller's
//!   policies allow it (a same-account trust naming the caller alone suffices);
//!   iam:UpdateAssumeRolePolicy then sts:AssumeRole; iam:CreateAccessKey,
//!   iam:CreateLoginProfile (only where the user has no password) and
//!   iam:UpdateLoginProfile (only where it has one) on a user; iam:PassRole to a role a
//!   compute service may assume, with that service's actions to run code as it (Lambda,
//!   EC2 with an instance profile, CloudFormation, Glue, CodeBuild, SageMaker, ECS, Data
//!   Pipeline).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::{Access, Account, Decided, Kind, Subject, trust_as_resource_policy};
use crate::matching::PrincipalEntry;
use crate::{Effect, NamedPolicy, Policy, PolicySourceType};

/// Actions an admin is allowed on `*`, across IAM and other services.
const ADMIN_PROBES: [&str; 10] = [
    "iam:CreateUser",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "s3:DeleteBucket",
    "ec2:RunInstances",
    "kms:ScheduleKeyDeletion",
    "lambda:CreateFunction",
    "dynamodb:DeleteTable",
];

/// What an escalator attaches: AWS's AdministratorAccess.
const ADMIN_POLICY_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Compute services that run code as a role passed to them: the service principal, the
/// actions that create and run it (every one needed), and whether the role goes through an
/// instance profile.
const COMPUTE: [(&str, &[&str], bool); 8] = [
    (
        "lambda.amazonaws.com",
        &["lambda:CreateFunction", "lambda:InvokeFunction"],
        false,
    ),
    ("ec2.amazonaws.com", &["ec2:RunInstances"], true),
    (
        "cloudformation.amazonaws.com",
        &["cloudformation:CreateStack"],
        false,
    ),
    ("glue.amazonaws.com", &["glue:CreateDevEndpoint"], false),
    (
        "codebuild.amazonaws.com",
        &["codebuild:CreateProject", "codebuild:StartBuild"],
        false,
    ),
    (
        "sagemaker.amazonaws.com",
        &["sagemaker:CreateNotebookInstance"],
        false,
    ),
    (
        "ecs-tasks.amazonaws.com",
        &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
        false,
    ),
    (
        "datapipeline.amazonaws.com",
        &[
            "datapipeline:CreatePipeline",
            "datapipeline:PutPipelineDefinition",
            "datapipeline:ActivatePipeline",
        ],
        false,
    ),
];

/// Where a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Admin-equivalent access.
    Admin,
    /// The principal asked about.
    Principal(usize),
}

/// One call of a path.
#[derive(Debug, Clone)]
pub struct Step {
    /// Who makes the call (set when the path is assembled).
    pub actor: usize,
    pub action: String,
    pub resource: String,
    /// The principal the step acts on or becomes, when it is another one.
    pub target: Option<usize>,
    /// Context keys the step's decision assumed (`iam:PassedToService`, `iam:PolicyARN`).
    pub context: Vec<(String, String)>,
    pub decided: Decided,
    /// What the step does, in words.
    pub does: String,
}

/// One principal's shortest way to the goal.
#[derive(Debug, Clone)]
pub struct EscalationPath {
    pub from: usize,
    pub reaches: Reach,
    pub steps: Vec<Step>,
    /// The path ends at a principal that is admin only under conditions.
    pub ends_conditional: bool,
}

impl EscalationPath {
    /// Allowed only under conditions somewhere along the way.
    pub fn conditional(&self) -> bool {
        self.ends_conditional
            || self
                .steps
                .iter()
                .any(|s| s.decided.access == Access::Conditional)
    }
}

/// The whole answer.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    /// Principals with admin-equivalent access already.
    pub admins: Vec<usize>,
    /// Principals with admin-equivalent access when their policies' conditions hold (MFA,
    /// a source IP, ...).
    pub conditional_admins: Vec<usize>,
    pub paths: Vec<EscalationPath>,
}

/// Whether users have a console password, where known beyond the model (read live).
pub type Passwords = HashMap<usize, bool>;

/// An edge of the graph: the steps from one principal to a node.
#[derive(Debug, Clone)]
struct Edge {
    to: Reach,
    steps: Vec<Step>,
}

fn allow_all() -> Arc<Policy> {
    static POLICY: OnceLock<Arc<Policy>> = OnceLock::new();
    POLICY
        .get_or_init(|| {
            let doc = serde_json::json!({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
            Arc::new(Policy::parse(&doc).unwrap_or_else(|_| Policy::parse_lenient(&doc).0))
        })
        .clone()
}

/// Roles by what their trust policies name, for finding who may assume what.
#[derive(Debug, Default)]
struct TrustIndex {
    /// Roles whose trust names this principal ARN.
    by_arn: HashMap<String, Vec<usize>>,
    /// Roles whose trust names this account (its root or its id).
    by_account: HashMap<String, Vec<usize>>,
    /// Roles whose trust allows anyone.
    anyone: Vec<usize>,
    /// Roles a service principal may assume, by service.
    by_service: HashMap<String, Vec<usize>>,
}

impl TrustIndex {
    fn new(account: &Account) -> TrustIndex {
        let mut index = TrustIndex::default();
        for (i, role) in account.principals.iter().enumerate() {
            let Some(trust) = &role.trust else { continue };
            for s in trust.statements() {
                let Some(block) = &s.principal else { continue };
                if s.effect != Some(Effect::Allow) {
                    continue;
                }
                if block.not {
                    index.anyone.push(i);
                    continue;
                }
                for e in &block.entries {
                    match e {
                        PrincipalEntry::Everyone => index.anyone.push(i),
                        PrincipalEntry::Aws(a) if a.contains('*') => index.anyone.push(i),
                        PrincipalEntry::Aws(a) => {
                            let account_of =
                                if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
                                    Some(a.as_str())
                                } else {
                                    a.strip_suffix(":root").and_then(|r| r.split(':').nth(4))
                                };
                            match account_of {
                                Some(acct) => index
                                    .by_account
                                    .entry(acct.to_string())
                                    .or_default()
                                    .push(i),
                                None => index.by_arn.entry(a.clone()).or_default().push(i),
                            }
                        }
                        PrincipalEntry::Service(svc) => index
                            .by_service
                            .entry(svc.to_ascii_lowercase())
                            .or_default()
                            .push(i),
                        PrincipalEntry::Federated(_) | PrincipalEntry::CanonicalUser(_) => {}
                    }
                }
            }
        }
        for list in index
            .by_arn
            .values_mut()
            .chain(index.by_account.values_mut())
            .chain(index.by_service.values_mut())
            .chain(std::iter::once(&mut index.anyone))
        {
            list.sort_unstable();
            list.dedup();
        }
        index
    }

    /// Roles whose trust may name principal `arn` of account `account`.
    fn roles_for(&self, arn: &str, account: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_arn
            .get(arn)
            .into_iter()
            .chain(self.by_account.get(account))
            .flatten()
            .chain(&self.anyone)
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl<'m> Subject<'m> {
    /// Admin-equivalent: every probe allowed outright on `*`.
    pub fn is_admin(&self) -> bool {
        self.admin_level() == Some(Access::Allowed)
    }

    /// Admin-equivalent outright, only when conditions hold, or not at all.
    pub fn admin_level(&self) -> Option<Access> {
        let mut level = Access::Allowed;
        for a in ADMIN_PROBES {
            level = level.max(self.decide(a, "*", None)?.access);
        }
        Some(level)
    }

    /// The same principal with one more identity policy.
    fn with_policy(&self, name: &str, policy: Arc<Policy>) -> Subject<'m> {
        let mut out = self.clone();
        out.input.identity_policies.push(NamedPolicy::new(
            name,
            PolicySourceType::UserManaged,
            policy,
        ));
        out
    }

    /// The same principal without its permissions boundary.
    fn without_boundary(&self) -> Subject<'m> {
        let mut out = self.clone();
        out.input.permissions_boundary = None;
        out
    }

    /// The same user as a member of group `g` too.
    fn with_group(&self, g: usize) -> Subject<'m> {
        let mut out = self.clone();
        out.add_policies_of(g, Some(g), PolicySourceType::Group);
        out
    }

    /// `action` on `resource` with condition context, as a step.
    fn step(
        &self,
        action: &str,
        resource: &str,
        rp: Option<&NamedPolicy>,
        context: &[(&str, &str)],
        target: Option<usize>,
        does: String,
    ) -> Option<Step> {
        let decided = self.decide_in(action, resource, rp, context)?;
        Some(Step {
            actor: self.index,
            action: action.to_string(),
            resource: resource.to_string(),
            target,
            context: context
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            decided,
            does,
        })
    }

    /// `action` allowed on some resource its Allow statements name (`*` first).
    fn somewhere(&self, action: &str) -> Option<Step> {
        let lower = action.to_ascii_lowercase();
        let mut resources = vec!["*".to_string()];
        for s in self
            .identity_statements()
            .filter(|s| s.effect == Some(Effect::Allow))
        {
            if let (true, Some((false, r))) = (s.covers_action(&lower), s.resource_patterns()) {
                resources.extend(r.map(str::to_string));
            }
        }
        resources.dedup();
        resources.into_iter().find_map(|r| {
            self.step(
                action,
                &r,
                None,
                &[],
                None,
                format!("{action} (to run code)"),
            )
        })
    }
}

impl Account {
    /// Who is admin already, and one shortest path to admin for every other principal that
    /// has one (or, with `target`, to that principal).
    pub fn escalation(&self, target: Option<usize>, passwords: &Passwords) -> Escalation {
        match target {
            Some(t) => self.escalation_toward(&[t], false, passwords),
            None => self.escalation_toward(&[], true, passwords),
        }
    }

    /// One shortest path per principal to any of `goals`, or (with `admin`) to
    /// admin-equivalent access: who can reach a principal that may do something, or make
    /// itself able to.
    pub fn escalation_toward(
        &self,
        goals: &[usize],
        admin: bool,
        passwords: &Passwords,
    ) -> Escalation {
        let index = TrustIndex::new(self);
        let callers: Vec<usize> = (0..self.principals.len())
            .filter(|&i| self.principals[i].kind != Kind::Group)
            .collect();
        let levels: Vec<(usize, Access)> =
            self.parallel(&callers, |i| self.subject(i).admin_level().map(|l| (i, l)));
        let admins: Vec<usize> = levels
            .iter()
            .filter(|(_, l)| *l == Access::Allowed)
            .map(|(i, _)| *i)
            .collect();
        let conditional_admins: Vec<usize> = levels
            .iter()
            .filter(|(_, l)| *l == Access::Conditional)
            .map(|(i, _)| *i)
            .collect();
        // Breadth first from the goal: round k finds the principals one edge away from
        // those found in round k-1 (the goal's own round is 0), so each path is shortest.
        // Reached nodes with the edge each takes (None: the goal itself).
        let mut reached: HashMap<usize, Option<Edge>> = HashMap::new();
        let mut frontier: Vec<usize> = goals.to_vec();
        if admin {
            frontier.extend(admins.iter().chain(&conditional_admins));
        }
        frontier.sort_unstable();
        frontier.dedup();
        for &f in &frontier {
            reached.insert(f, None);
        }
        let mut first = admin;
        loop {
            let mut mask = vec![false; self.principals.len()];
            for &f in &frontier {
                mask[f] = true;
            }
            let found: Vec<(usize, Edge)> = self.parallel(&callers, |i| {
                if reached.contains_key(&i) {
                    return None;
                }
                let direct = if first {
                    self.to_admin(&self.subject(i), true)
                } else {
                    None
                };
                direct
                    .or_else(|| self.to_principal(i, &frontier, &mask, &index, passwords))
                    .map(|e| (i, e))
            });
            first = false;
            if found.is_empty() {
                break;
            }
            frontier = found.iter().map(|(i, _)| *i).collect();
            for (i, e) in found {
                reached.insert(i, Some(e));
            }
        }
        let mut paths = Vec::new();
        for &i in &callers {
            let Some(Some(_)) = reached.get(&i) else {
                continue;
            };
            let mut steps = Vec::new();
            let mut at = i;
            let mut ends_conditional = false;
            let mut reaches = Reach::Admin;
            while let Some(Some(edge)) = reached.get(&at) {
                steps.extend(edge.steps.iter().cloned().map(|mut s| {
                    s.actor = at;
                    s
                }));
                match edge.to {
                    Reach::Admin => {
                        reaches = Reach::Admin;
                        break;
                    }
                    Reach::Principal(next) => {
                        at = next;
                        ends_conditional = conditional_admins.contains(&next);
                        reaches = if goals.contains(&next) {
                            Reach::Principal(next)
                        } else {
                            Reach::Admin
                        };
                    }
                }
                if steps.len() > 64 {
                    break;
                }
            }
            paths.push(EscalationPath {
                from: i,
                reaches,
                steps,
                ends_conditional: ends_conditional && admin && !goals.contains(&at),
            });
        }
        paths.sort_by_key(|p| (p.steps.len(), p.from));
        Escalation {
            admins,
            conditional_admins,
            paths,
        }
    }

    /// `f` over `items`, on the machine's cores when there are many.
    fn parallel<T: Send, F>(&self, items: &[usize], f: F) -> Vec<T>
    where
        F: Fn(usize) -> Option<T> + Sync,
    {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(8));
        if items.len() < 64 || threads < 2 {
            return items.iter().filter_map(|&i| f(i)).collect();
        }
        let chunk = items.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|part| {
                    let f = &f;
                    scope.spawn(move || part.iter().filter_map(|&i| f(i)).collect::<Vec<T>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// A way for `s` to make itself admin, in one step (or two, lifting its boundary
    /// first when `lift` is set).
    fn to_admin(&self, s: &Subject<'_>, lift: bool) -> Option<Edge> {
        let p = s.principal();
        let admin = |steps: Vec<Step>| Edge {
            to: Reach::Admin,
            steps,
        };
        let may = |action: &str| self.may_allow(s.index, &action.to_ascii_lowercase());
        let policy_arn = [("iam:PolicyARN", ADMIN_POLICY_ARN)];
        let own: &[(&str, bool)] = match p.kind {
            Kind::User => &[("iam:AttachUserPolicy", true), ("iam:PutUserPolicy", false)],
            Kind::Role => &[("iam:AttachRolePolicy", true), ("iam:PutRolePolicy", false)],
            Kind::Group => &[],
        };
        // A policy granting everything makes it admin unless a boundary or a deny stands
        // (asked only when some method below may be allowed: each needs its action).
        let may_grant = own.iter().any(|(a, _)| may(a))
            || (!p.groups.is_empty()
                && (may("iam:AttachGroupPolicy") || may("iam:PutGroupPolicy")))
            || may("iam:CreatePolicyVersion");
        let granted_works =
            may_grant && s.with_policy("AdministratorAccess", allow_all()).is_admin();
        if granted_works {
            for (action, attach) in own {
                if may(action)
                    && let Some(step) = s.step(
                        action,
                        &p.arn,
                        None,
                        if *attach { &policy_arn } else { &[] },
                        None,
                        if *attach {
                            format!("attach {ADMIN_POLICY_ARN} to itself")
                        } else {
                            "put an inline policy allowing * on * on itself".to_string()
                        },
                    )
                {
                    return Some(admin(vec![step]));
                }
            }
            for &g in &p.groups {
                let group = &self.principals[g];
                for (action, attach) in [
                    ("iam:AttachGroupPolicy", true),
                    ("iam:PutGroupPolicy", false),
                ] {
                    if may(action)
                        && let Some(step) = s.step(
                            action,
                            &group.arn,
                            None,
                            if attach { &policy_arn } else { &[] },
                            Some(g),
                            format!(
                                "{} its group {}",
                                if attach {
                                    "attach AdministratorAccess to"
                                } else {
                                    "put an inline policy allowing * on * on"
                                },
                                group.name
                            ),
                        )
                    {
                        return Some(admin(vec![step]));
                    }
                }
            }
            // A new default version of a customer managed policy it has.
            if may("iam:CreatePolicyVersion") {
                for m in self.attached_to(s.index) {
                    let policy = &self.policies[m];
                    if policy.aws_managed {
                        continue;
                    }
                    if let Some(step) = s.step(
                        "iam:CreatePolicyVersion",
                        &policy.arn,
                        None,
                        &[],
                        None,
                        format!(
                            "create a version of {} allowing * on *, set as default (it is attached to it)",
                            policy.arn
                        ),
                    ) {
                        return Some(admin(vec![step]));
                    }
                }
            }
        }
        // A stored version that would make it admin, set as the default.
        if may("iam:SetDefaultPolicyVersion") {
            for m in self.attached_to(s.index) {
                let policy = &self.policies[m];
                for (version, doc) in &policy.versions {
                    if *version == policy.default_version
                        || !s.with_policy(&policy.name, doc.clone()).is_admin()
                    {
                        continue;
                    }
                    if let Some(step) = s.step(
                        "iam:SetDefaultPolicyVersion",
                        &policy.arn,
                        None,
                        &[],
                        None,
                        format!(
                            "make version {version} of {} (which allows it everything) the default",
                            policy.arn
                        ),
                    ) {
                        return Some(admin(vec![step]));
                    }
                }
            }
        }
        // Into a group whose policies make it admin.
        if p.kind == Kind::User && may("iam:AddUserToGroup") {
            for (g, group) in self.principals.iter().enumerate() {
                if group.kind != Kind::Group || p.groups.contains(&g) {
                    continue;
                }
                if s.with_group(g).is_admin()
                    && let Some(step) = s.step(
                        "iam:AddUserToGroup",
                        &group.arn,
                        None,
                        &[],
                        Some(g),
                        format!("add itself to group {}", group.name),
                    )
                {
                    return Some(admin(vec![step]));
                }
            }
        }
        // Lift its own boundary, when the boundary is what holds it back.
        let lift_actions: &[&str] = match p.kind {
            Kind::User => &[
                "iam:DeleteUserPermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ],
            _ => &[
                "iam:DeleteRolePermissionsBoundary",
                "iam:PutRolePermissionsBoundary",
            ],
        };
        // (What it could do without the boundary is asked only when it may lift it.)
        if lift && p.boundary.is_some() && lift_actions.iter().any(|a| may(a)) {
            let free = s.without_boundary();
            let then = if free.is_admin() {
                Some(Vec::new())
            } else {
                self.to_admin(&free, false).map(|e| e.steps)
            };
            if let Some(then) = then {
                for action in lift_actions {
                    if may(action)
                        && let Some(step) = s.step(
                            action,
                            &p.arn,
                            None,
                            &[],
                            None,
                            if action.starts_with("iam:Delete") {
                                "remove its own permissions boundary".to_string()
                            } else {
                                format!(
                                    "replace its own permissions boundary with {ADMIN_POLICY_ARN}"
                                )
                            },
                        )
                    {
                        let mut steps = vec![step];
                        steps.extend(then);
                        return Some(admin(steps));
                    }
                }
            }
        }
        None
    }

    /// The managed policies that apply to principal `i` (its own and its groups').
    pub(super) fn attached_to(&self, i: usize) -> Vec<usize> {
        let p = &self.principals[i];
        let mut out: Vec<usize> = p
            .attached
            .iter()
            .chain(p.groups.iter().flat_map(|&g| &self.principals[g].attached))
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A way for principal `i` to become one of `goals` (another principal).
    fn to_principal(
        &self,
        i: usize,
        goals: &[usize],
        mask: &[bool],
        index: &TrustIndex,
        passwords: &Passwords,
    ) -> Option<Edge> {
        // Built when some method gets as far as a decision.
        let subject = std::cell::OnceCell::new();
        let s = || subject.get_or_init(|| self.subject(i));
        let p = &self.principals[i];
        let account = super::resource_account(&p.arn).unwrap_or_default();
        let is_goal = |t: usize| t != i && mask[t];
        let may = |action: &str| self.may_allow(i, &action.to_ascii_lowercase());
        let edge = |t: usize, steps: Vec<Step>| Edge {
            to: Reach::Principal(t),
            steps,
        };
        // sts:AssumeRole, as its trust policy and its own policies allow.
        for t in index.roles_for(&p.arn, account) {
            if !is_goal(t) {
                continue;
            }
            let role = &self.principals[t];
            let trust = trust_as_resource_policy(role);
            if let Some(step) = s().step(
                "sts:AssumeRole",
                &role.arn,
                trust.as_ref(),
                &[],
                Some(t),
                format!("assume role {}", role.name),
            ) {
                return Some(edge(t, vec![step]));
            }
        }
        let goal_roles = || {
            goals
                .iter()
                .copied()
                .filter(|&t| t != i && self.principals[t].kind == Kind::Role)
        };
        let goal_users = || {
            goals
                .iter()
                .copied()
                .filter(|&t| t != i && self.principals[t].kind == Kind::User)
        };
        // Rewrite a role's trust policy to name itself, then assume the role.
        if may("iam:UpdateAssumeRolePolicy") {
            for t in goal_roles() {
                let role = &self.principals[t];
                let Some(update) = s().step(
                    "iam:UpdateAssumeRolePolicy",
                    &role.arn,
                    None,
                    &[],
                    Some(t),
                    format!(
                        "rewrite the trust policy of role {} to trust itself",
                        role.name
                    ),
                ) else {
                    continue;
                };
                let trust = trusting(&p.arn, &role.name);
                if let Some(assume) = s().step(
                    "sts:AssumeRole",
                    &role.arn,
                    Some(&trust),
                    &[],
                    Some(t),
                    format!("assume role {}", role.name),
                ) {
                    return Some(edge(t, vec![update, assume]));
                }
            }
        }
        // Credentials of another user.
        let credentials: [(&str, Option<bool>, &str); 3] = [
            ("iam:CreateAccessKey", None, "create an access key for user"),
            (
                "iam:CreateLoginProfile",
                Some(false),
                "create a console password for user",
            ),
            (
                "iam:UpdateLoginProfile",
                Some(true),
                "change the console password of user",
            ),
        ];
        for (action, needs_password, does) in credentials {
            if !may(action) {
                continue;
            }
            for t in goal_users() {
                let user = &self.principals[t];
                // Where the model knows the user's password, the precondition decides.
                let has = passwords.get(&t).copied().or(user.login_profile);
                if let (Some(need), Some(has)) = (needs_password, has)
                    && need != has
                {
                    continue;
                }
                if let Some(step) = s().step(
                    action,
                    &user.arn,
                    None,
                    &[],
                    Some(t),
                    format!("{does} {}", user.name),
                ) {
                    return Some(edge(t, vec![step]));
                }
            }
        }
        // Pass a role to a compute service and run code as it.
        if may("iam:PassRole") {
            for (service, actions, profile) in COMPUTE {
                let Some(roles) = index.by_service.get(service) else {
                    continue;
                };
                let targets: Vec<usize> = roles
                    .iter()
                    .copied()
                    .filter(|&t| is_goal(t))
                    .filter(|&t| !profile || !self.principals[t].instance_profiles.is_empty())
                    .collect();
                if targets.is_empty() || !actions.iter().all(|a| may(a)) {
                    continue;
                }
                let Some(run) = actions
                    .iter()
                    .map(|a| s().somewhere(a))
                    .collect::<Option<Vec<Step>>>()
                else {
                    continue;
                };
                for t in targets {
                    let role = &self.principals[t];
                    if !self.service_may_assume(t, service) {
                        continue;
                    }
                    if let Some(pass) = s().step(
                        "iam:PassRole",
                        &role.arn,
                        None,
                        &[("iam:PassedToService", service)],
                        Some(t),
                        format!(
                            "pass role {} to {service}{}",
                            role.name,
                            if profile {
                                " (through its instance profile)"
                            } else {
                                ""
                            }
                        ),
                    ) {
                        let mut steps = vec![pass];
                        steps.extend(run.iter().cloned());
                        return Some(edge(t, steps));
                    }
                }
            }
        }
        None
    }

    /// The role's trust policy lets `service` assume it (the engine's decision).
    fn service_may_assume(&self, role: usize, service: &str) -> bool {
        let r = &self.principals[role];
        let Some(trust) = trust_as_resource_policy(r) else {
            return false;
        };
        let input = crate::EvaluationInput {
            resource_policy: Some(trust),
            ..Default::default()
        };
        let request = crate::Request::new("sts:AssumeRole", r.arn.clone())
            .principal(service)
            .assume_conditions(true);
        crate::evaluate(&input, &request).decision == crate::Decision::Allowed
    }
}

/// A trust policy naming `arn` alone: what UpdateAssumeRolePolicy would write.
fn trusting(arn: &str, role: &str) -> NamedPolicy {
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": arn}, "Action": "sts:AssumeRole"}]});
    NamedPolicy::new(
        format!("trust policy of role {role} (rewritten)"),
        PolicySourceType::Resource,
        Policy::parse_lenient(&doc).0,
    )
}
