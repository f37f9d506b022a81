//! Who can do an action on a resource: every user and role the engine allows it, with the
//! resource's policy (a role's trust policy for `sts:AssumeRole` on it) taken into account.

use super::{Account, Decided, Kind, trust_as_resource_policy};
use crate::{Effect, NamedPolicy, Policy, PolicySourceType};

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
        // A principal none of whose identity statements names the action can be allowed
        // only by the resource policy.
        let candidate = |i: usize| {
            let p = &self.principals[i];
            p.kind != Kind::Group && (rp.is_some() || self.may_allow(i, &lower))
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
        policies.chain(groups).any(|policy| {
            policy.statements().iter().any(|s| {
                s.effect == Some(Effect::Allow)
                    && s.action.as_ref().is_some_and(|block| {
                        block.not || block.patterns.iter().any(|p| p.matches(action_lower))
                    })
            })
        })
    }
}
