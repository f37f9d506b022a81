//! What a change would grant: the model with one write applied, and the difference it
//! makes, principal by principal (actions gained and lost), in escalation paths (opened and
//! closed) and in who a role trusts.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{Access, Account, EffectiveFilter, Escalation, EscalationPath, Kind, ManagedPolicy};
use crate::catalog::AccessLevel;
use crate::matching::PrincipalEntry;
use crate::{Effect, Policy};

/// One permission-changing write, on the model's principals and policies (indexes).
#[derive(Debug, Clone)]
pub enum Change {
    AttachPolicy {
        principal: usize,
        policy: usize,
    },
    DetachPolicy {
        principal: usize,
        policy: usize,
    },
    PutInline {
        principal: usize,
        name: String,
        policy: Arc<Policy>,
    },
    DeleteInline {
        principal: usize,
        name: String,
    },
    /// A new version of a managed policy; only a default version changes access.
    NewVersion {
        policy: usize,
        document: Arc<Policy>,
        set_as_default: bool,
    },
    SetDefaultVersion {
        policy: usize,
        version: String,
    },
    AddToGroup {
        user: usize,
        group: usize,
    },
    RemoveFromGroup {
        user: usize,
        group: usize,
    },
    SetTrust {
        role: usize,
        policy: Arc<Policy>,
    },
    SetBoundary {
        principal: usize,
        policy: Option<usize>,
    },
    /// A new role with its trust policy and boundary.
    NewRole {
        name: String,
        arn: String,
        trust: Arc<Policy>,
        boundary: Option<usize>,
    },
}

/// Actions (with the resources they hold on) one principal gains or loses.
#[derive(Debug, Clone, Default)]
pub struct AccessDelta {
    /// Action name → its access level, and resources with how surely.
    pub actions: BTreeMap<String, (AccessLevel, Vec<(String, Access)>)>,
}

impl AccessDelta {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Counts by access level.
    pub fn by_level(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for (level, _) in self.actions.values() {
            *out.entry(level.as_str()).or_default() += 1;
        }
        out
    }
}

/// One principal the change affects.
#[derive(Debug, Clone)]
pub struct PrincipalChange {
    /// In the model after the change (a new role is only there).
    pub principal: usize,
    pub gained: AccessDelta,
    pub lost: AccessDelta,
}

/// What a change would do.
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub principals: Vec<PrincipalChange>,
    /// Paths to admin that exist after the change and not before (by principal), and
    /// principals that become admin.
    pub paths_opened: Vec<EscalationPath>,
    pub paths_closed: Vec<EscalationPath>,
    pub admins_gained: Vec<usize>,
    pub admins_lost: Vec<usize>,
    /// Who a trust policy newly lets assume the role: accounts outside this one, any
    /// principal, services, identity providers, and principals of this account.
    pub newly_trusted: Vec<String>,
    pub no_longer_trusted: Vec<String>,
    /// The model after the change (for names of principals the preview lists).
    pub after: Account,
}

/// Principals whose access a detailed diff is computed for, at most.
pub const MAX_DETAILED: usize = 50;

impl Account {
    /// Adds a managed policy the model does not hold (an AWS managed policy attached
    /// nowhere yet, read live), returning its index.
    pub fn add_policy(&mut self, arn: &str, name: &str, version: &str, document: Policy) -> usize {
        if let Some(i) = self.policy(arn) {
            return i;
        }
        let document = Arc::new(document);
        self.by_policy.insert(arn.to_string(), self.policies.len());
        self.policies.push(ManagedPolicy {
            arn: arn.to_string(),
            name: name.to_string(),
            aws_managed: arn.contains(":iam::aws:policy/"),
            default_version: version.to_string(),
            versions: vec![(version.to_string(), document.clone())],
            default: document,
        });
        self.policies.len() - 1
    }

    /// The model with `change` applied.
    pub fn with_change(&self, change: &Change) -> Account {
        let mut a = self.clone();
        match change {
            Change::AttachPolicy { principal, policy } => {
                let list = &mut a.principals[*principal].attached;
                if !list.contains(policy) {
                    list.push(*policy);
                }
            }
            Change::DetachPolicy { principal, policy } => {
                a.principals[*principal].attached.retain(|p| p != policy);
            }
            Change::PutInline {
                principal,
                name,
                policy,
            } => {
                let inline = &mut a.principals[*principal].inline;
                inline.retain(|i| i.name != *name);
                inline.push(super::Inline {
                    name: name.clone(),
                    policy: policy.clone(),
                });
            }
            Change::DeleteInline { principal, name } => {
                a.principals[*principal].inline.retain(|i| i.name != *name);
            }
            Change::NewVersion {
                policy,
                document,
                set_as_default,
            } => {
                let p = &mut a.policies[*policy];
                let version = format!("v{}", p.versions.len() + 1);
                p.versions.push((version.clone(), document.clone()));
                if *set_as_default {
                    p.default_version = version;
                    p.default = document.clone();
                }
            }
            Change::SetDefaultVersion { policy, version } => {
                let p = &mut a.policies[*policy];
                if let Some((_, doc)) = p.versions.iter().find(|(v, _)| v == version) {
                    p.default = doc.clone();
                    p.default_version = version.clone();
                }
            }
            Change::AddToGroup { user, group } => {
                if !a.principals[*user].groups.contains(group) {
                    a.principals[*user].groups.push(*group);
                    a.principals[*group].members.push(*user);
                }
            }
            Change::RemoveFromGroup { user, group } => {
                a.principals[*user].groups.retain(|g| g != group);
                a.principals[*group].members.retain(|u| u != user);
            }
            Change::SetTrust { role, policy } => {
                a.principals[*role].trust = Some(policy.clone());
            }
            Change::SetBoundary { principal, policy } => {
                a.principals[*principal].boundary = *policy;
            }
            Change::NewRole {
                name,
                arn,
                trust,
                boundary,
            } => {
                a.push(super::Principal {
                    kind: Kind::Role,
                    name: name.clone(),
                    arn: arn.clone(),
                    inline: Vec::new(),
                    attached: Vec::new(),
                    groups: Vec::new(),
                    members: Vec::new(),
                    boundary: *boundary,
                    trust: Some(trust.clone()),
                    instance_profiles: Vec::new(),
                    login_profile: None,
                });
            }
        }
        a
    }

    /// The principals whose own permissions `change` touches (a group's members, a
    /// policy's holders).
    fn affected(&self, after: &Account, change: &Change) -> Vec<usize> {
        let members = |p: usize| -> Vec<usize> {
            match self.principals[p].kind {
                Kind::Group => self.principals[p].members.clone(),
                _ => vec![p],
            }
        };
        let mut out = match change {
            Change::AttachPolicy { principal, .. }
            | Change::DetachPolicy { principal, .. }
            | Change::PutInline { principal, .. }
            | Change::DeleteInline { principal, .. }
            | Change::SetBoundary { principal, .. } => members(*principal),
            Change::NewVersion { policy, .. } | Change::SetDefaultVersion { policy, .. } => self
                .principals
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    p.kind != Kind::Group
                        && (p.boundary == Some(*policy) || self.attached_to(*i).contains(policy))
                })
                .map(|(i, _)| i)
                .collect(),
            Change::AddToGroup { user, .. } | Change::RemoveFromGroup { user, .. } => vec![*user],
            Change::SetTrust { .. } => Vec::new(),
            Change::NewRole { .. } => vec![after.principals.len() - 1],
        };
        out.sort_unstable();
        out.dedup();
        out
    }

    /// What `change` would do to the account.
    pub fn preview(&self, change: &Change) -> Preview {
        let after = self.with_change(change);
        let affected = self.affected(&after, change);
        let mut principals = Vec::new();
        for &i in affected.iter().take(MAX_DETAILED) {
            let before = if i < self.principals.len() {
                grants(self, i)
            } else {
                BTreeMap::new()
            };
            let now = grants(&after, i);
            let gained = delta(&now, &before);
            let lost = delta(&before, &now);
            if !gained.is_empty() || !lost.is_empty() {
                principals.push(PrincipalChange {
                    principal: i,
                    gained,
                    lost,
                });
            }
        }
        let (esc_before, esc_after) = (
            self.escalation(None, &Default::default()),
            after.escalation(None, &Default::default()),
        );
        let key = |a: &Account, e: &Escalation| -> BTreeMap<String, EscalationPath> {
            e.paths
                .iter()
                .map(|p| (a.principals[p.from].arn.clone(), p.clone()))
                .collect()
        };
        let admins = |a: &Account, e: &Escalation| -> BTreeSet<String> {
            e.admins
                .iter()
                .map(|&i| a.principals[i].arn.clone())
                .collect()
        };
        let (paths_before, paths_after) = (key(self, &esc_before), key(&after, &esc_after));
        let (admins_before, admins_after) = (admins(self, &esc_before), admins(&after, &esc_after));
        let paths_opened = paths_after
            .iter()
            .filter(|(arn, _)| !paths_before.contains_key(*arn) && !admins_before.contains(*arn))
            .map(|(_, p)| p.clone())
            .collect();
        let paths_closed = paths_before
            .iter()
            .filter(|(arn, _)| !paths_after.contains_key(*arn) && !admins_after.contains(*arn))
            .map(|(_, p)| p.clone())
            .collect();
        let admins_gained = admins_after
            .difference(&admins_before)
            .filter_map(|arn| after.principal(arn))
            .collect();
        let admins_lost = admins_before
            .difference(&admins_after)
            .filter_map(|arn| self.principal(arn))
            .collect();
        let (newly_trusted, no_longer_trusted) = match change {
            Change::SetTrust { role, .. } => {
                let before = trusted(self, *role);
                let now = trusted(&after, *role);
                (
                    now.difference(&before).cloned().collect(),
                    before.difference(&now).cloned().collect(),
                )
            }
            Change::NewRole { .. } => (
                trusted(&after, after.principals.len() - 1)
                    .into_iter()
                    .collect(),
                Vec::new(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        Preview {
            principals,
            paths_opened,
            paths_closed,
            admins_gained,
            admins_lost,
            newly_trusted,
            no_longer_trusted,
            after,
        }
    }
}

/// Principal `i`'s allowed (action, resource) pairs.
fn grants(a: &Account, i: usize) -> BTreeMap<(String, String), (AccessLevel, Access)> {
    let mut out = BTreeMap::new();
    for e in a.effective(i, &EffectiveFilter::default()) {
        for g in e.grants {
            out.insert(
                (e.action.full_name(), g.resource),
                (e.action.access_level(), g.decided.access),
            );
        }
    }
    out
}

/// What `a` holds that `b` does not (or holds only under conditions).
fn delta(
    a: &BTreeMap<(String, String), (AccessLevel, Access)>,
    b: &BTreeMap<(String, String), (AccessLevel, Access)>,
) -> AccessDelta {
    let mut out = AccessDelta::default();
    for ((action, resource), (level, access)) in a {
        let weaker = b
            .get(&(action.clone(), resource.clone()))
            .is_none_or(|(_, was)| was > access);
        if weaker {
            out.actions
                .entry(action.clone())
                .or_insert_with(|| (*level, Vec::new()))
                .1
                .push((resource.clone(), *access));
        }
    }
    out
}

/// Who role `role`'s trust policy lets assume it, in words: `account 444455556666`,
/// `any principal`, `service lambda.amazonaws.com`, `federated ...`, and the account's own
/// principals the engine allows (by ARN).
fn trusted(a: &Account, role: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let own = a.account_id.as_deref().unwrap_or_default();
    if let Some(trust) = &a.principals[role].trust {
        for s in trust.statements() {
            let Some(block) = &s.principal else { continue };
            if s.effect != Some(Effect::Allow) {
                continue;
            }
            if block.not {
                out.insert("any principal (NotPrincipal)".to_string());
                continue;
            }
            for e in &block.entries {
                match e {
                    PrincipalEntry::Everyone => {
                        out.insert("any principal (*)".to_string());
                    }
                    PrincipalEntry::Aws(x) => {
                        let account = if x.len() == 12 && x.bytes().all(|b| b.is_ascii_digit()) {
                            x.as_str()
                        } else {
                            x.split(':').nth(4).unwrap_or_default()
                        };
                        if account != own {
                            out.insert(format!("{x} (outside the account)"));
                        }
                    }
                    PrincipalEntry::Service(x) => {
                        out.insert(format!("service {x}"));
                    }
                    PrincipalEntry::Federated(x) => {
                        out.insert(format!("federated {x}"));
                    }
                    PrincipalEntry::CanonicalUser(x) => {
                        out.insert(format!("canonical user {x}"));
                    }
                }
            }
        }
    }
    let arn = a.principals[role].arn.clone();
    for w in a.who_can("sts:AssumeRole", &arn, None) {
        out.insert(a.principals[w.principal].arn.clone());
    }
    out
}
