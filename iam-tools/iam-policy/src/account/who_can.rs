//! Who can do an action on a resource: every user and role the engine allows it, with the
//! resource's policy (a role's trust policy for `sts:AssumeRole` on it) taken into account.

use super::{Account, Decided, Kind, trust_as_resource_policy};
use crate::evaluate::Target;
use crate::matching::{Caller, PrincipalGrant};
use crate::{Effect, NamedPolicy, Policy, PolicySourceType, Request};

/// Whether some Allow statement of the resource policy `rp` covering the lower-cased
/// `action` names `principal_arn` as the engine matches Principal entries (a NotPrincipal
/// one always may). A trust action on a role needs its trust policy to grant the caller,
/// so without one it is refused whatever the caller's own policies say.
pub(crate) fn may_name(rp: &Policy, principal_arn: &str, action_lower: &str) -> bool {
    may_grant(rp, principal_arn, action_lower).is_some()
}

/// The strongest grant [`may_name`] finds: the engine's grant is at most this one (so when
/// this is [`PrincipalGrant::Account`], the caller's identity policies must allow too).
pub(crate) fn may_grant(
    rp: &Policy,
    principal_arn: &str,
    action_lower: &str,
) -> Option<PrincipalGrant> {
    let caller = Caller::parse(Some(principal_arn), false);
    rp.statements()
        .iter()
        .filter(|s| s.effect == Some(Effect::Allow) && s.covers_action(action_lower))
        .filter_map(|s| {
            let b = s.principal.as_ref()?;
            if b.not {
                return Some(PrincipalGrant::Direct);
            }
            b.entries
                .iter()
                .filter_map(|e| e.matches(&caller, false))
                .max()
        })
        .max()
}

/// A principal allowed the request.
#[derive(Debug, Clone)]
pub struct WhoCan {
    pub principal: usize,
    pub decided: Decided,
}

/// Actions a role's trust policy decides, as the resource policy of the role.
const TRUST_ACTIONS: [&str; 5] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
];

/// Above this many principals the work is split over the machine's cores.
const PARALLEL_FROM: usize = 2_000;

impl Account {
    /// The resource policy a question about `resource` is evaluated with: the one given, or
    /// for a trust action on a role of this account, the role's trust policy.
    pub fn resource_policy_for(
        &self,
        action: &str,
        resource: &str,
        given: Option<&Policy>,
    ) -> Option<NamedPolicy> {
        if let Some(p) = given {
            return Some(NamedPolicy::new(
                "resource policy",
                PolicySourceType::Resource,
                p.clone(),
            ));
        }
        if !self.is_trust_action(&action.to_ascii_lowercase()) {
            return None;
        }
        let role = &self.principals[self.principal(resource)?];
        (role.kind == Kind::Role)
            .then(|| trust_as_resource_policy(role))
            .flatten()
    }

    /// True for the lower-cased actions a role's trust policy decides.
    pub(crate) fn is_trust_action(&self, action_lower: &str) -> bool {
        TRUST_ACTIONS.contains(&action_lower)
    }

    /// Every user and role allowed `action` on `resource` now (or when conditions hold),
    /// in the model's order (groups, then users, then roles).
    pub fn who_can(
        &self,
        action: &str,
        resource: &str,
        resource_policy: Option<&Policy>,
    ) -> Vec<WhoCan> {
        let rp = self.resource_policy_for(action, resource, resource_policy);
        let lower = action.to_ascii_lowercase();
        // A principal none of whose identity statements is an Allow covering the action
        // and the resource can be allowed only by the resource policy.
        let request = Request::new(action, resource);
        let target = Target::new(&request);
        // For a trust action on a role, only the principals its trust policy names.
        let trust = rp.as_ref().filter(|_| resource_policy.is_none());
        let candidate = |i: usize| {
            let p = &self.principals[i];
            p.kind != Kind::Group
                && match trust {
                    // A grant to the account leaves it to the identity policies.
                    Some(t) => match may_grant(&t.policy, &p.arn, &lower) {
                        None => false,
                        Some(PrincipalGrant::Account) => {
                            self.any_identity_statement(i, |s| target.allow_may_apply(s))
                        }
                        Some(_) => true,
                    },
                    None => {
                        rp.is_some()
                            || self.any_identity_statement(i, |s| target.allow_may_apply(s))
                    }
                }
        };
        let decide = |range: std::ops::Range<usize>| {
            range
                .filter(|&i| candidate(i))
                .filter_map(|i| {
                    let decided = self.subject(i).decide(action, resource, rp.as_ref())?;
                    Some(WhoCan {
                        principal: i,
                        decided,
                    })
                })
                .collect::<Vec<_>>()
        };
        let n = self.principals.len();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(8));
        if n < PARALLEL_FROM || threads < 2 {
            return decide(0..n);
        }
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                    scope.spawn(move || decide(range))
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// True if some Allow statement of the principal's identity policies (its groups'
    /// included) could cover the lower-cased `action`: Action naming it, or NotAction.
    pub(crate) fn may_allow(&self, i: usize, action_lower: &str) -> bool {
        self.any_identity_statement(i, |s| {
            s.effect == Some(Effect::Allow)
                && s.action.as_ref().is_some_and(|block| {
                    block.not || block.patterns.iter().any(|p| p.matches(action_lower))
                })
        })
    }

    /// True if some statement of the principal's identity policies (its groups' included)
    /// passes `f`.
    fn any_identity_statement(&self, i: usize, f: impl Fn(&crate::Statement) -> bool) -> bool {
        let p = &self.principals[i];
        let policies = p
            .inline
            .iter()
            .map(|x| &*x.policy)
            .chain(p.attached.iter().map(|&m| &*self.policies[m].default));
        let groups = p.groups.iter().flat_map(|&g| {
            let g = &self.principals[g];
            g.inline
                .iter()
                .map(|x| &*x.policy)
                .chain(g.attached.iter().map(|&m| &*self.policies[m].default))
        });
        policies
            .chain(groups)
            .any(|policy| policy.statements().iter().any(&f))
    }
}
