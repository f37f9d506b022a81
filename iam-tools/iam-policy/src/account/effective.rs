//! What a principal can really do: every catalog action its Allow statements could grant,
//! each evaluated by the engine on the resources those statements (and its boundary) name,
//! with its groups' policies, its boundary and every Deny taken into account.

use std::collections::BTreeMap;

use super::{Account, Decided, StatementRef};
use crate::catalog::pattern::{glob_cs, has_wildcard};
use crate::catalog::{AccessLevel, Action, catalog};
use crate::{Effect, NamedPolicy, Statement};

/// Which actions to consider.
#[derive(Debug, Clone, Copy, Default)]
pub struct EffectiveFilter<'a> {
    /// A service prefix (`s3`).
    pub service: Option<&'a str>,
    pub access_level: Option<AccessLevel>,
    /// One resource to ask about, instead of the resources the policies name.
    pub resource: Option<&'a str>,
}

/// An action the principal is allowed, on what.
#[derive(Debug, Clone)]
pub struct EffectiveAction {
    pub action: Action<'static>,
    pub grants: Vec<ResourceGrant>,
}

/// A resource (or pattern) the action is allowed on.
#[derive(Debug, Clone)]
pub struct ResourceGrant {
    pub resource: String,
    pub decided: Decided,
    /// Resources inside this one that a Deny statement refuses, with the statement.
    pub except: Vec<(String, StatementRef)>,
}

/// From this many candidate actions on, they are decided on the machine's cores.
const PARALLEL_FROM: usize = 64;

impl Account {
    /// The ARNs of the account's roles some pattern matches, and the patterns no role
    /// matches (a role of another account).
    fn roles_matching(&self, patterns: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self
            .principals
            .iter()
            .filter(|p| p.kind == super::Kind::Role)
            .filter(|p| patterns.iter().any(|pat| glob_cs(pat, &p.arn)))
            .map(|p| p.arn.clone())
            .collect();
        out.extend(
            patterns
                .iter()
                .filter(|pat| self.principal(pat).is_none() && !pat.contains(['*', '?']))
                .cloned(),
        );
        out
    }

    /// The actions principal `i` is allowed (outright or under conditions), in catalog
    /// order, each with the resources it is allowed on.
    pub fn effective(&self, i: usize, filter: &EffectiveFilter<'_>) -> Vec<EffectiveAction> {
        let c = catalog();
        let subject = self.subject(i);
        let wanted = |a: &Action<'_>| {
            filter
                .service
                .is_none_or(|s| a.service().prefix.eq_ignore_ascii_case(s))
                && filter.access_level.is_none_or(|l| a.access_level() == l)
        };
        // Candidates: what the Allow statements could cover, with the resources they name.
        let mut candidates: BTreeMap<u32, (Action<'static>, Vec<String>)> = BTreeMap::new();
        let mut note = |a: Action<'static>, resources: &[&str]| {
            let entry = candidates.entry(a.id()).or_insert_with(|| (a, Vec::new()));
            for r in resources {
                if !entry.1.iter().any(|x| x == r) {
                    entry.1.push((*r).to_string());
                }
            }
        };
        for s in subject
            .identity_statements()
            .filter(|s| s.effect == Some(Effect::Allow))
        {
            let Some((not, patterns)) = s.action_patterns() else {
                continue;
            };
            let resources: Vec<&str> = match s.resource_patterns() {
                Some((false, r)) => r.collect(),
                _ => vec!["*"],
            };
            if not {
                for a in c.all_actions().filter(|a| wanted(a)) {
                    if s.covers_action(&a.full_name().to_ascii_lowercase()) {
                        note(a, &resources);
                    }
                }
            } else {
                for p in patterns {
                    for a in c.expand(p).filter(|a| wanted(a)) {
                        note(a, &resources);
                    }
                }
            }
        }
        // A boundary narrower than the grants: its resources are where the grants hold.
        let boundary: Vec<&Statement> = subject
            .input
            .permissions_boundary
            .iter()
            .flat_map(|b| b.policy.statements())
            .filter(|s| s.effect == Some(Effect::Allow))
            .collect();
        let denies: Vec<(&NamedPolicy, &Statement)> = subject
            .input
            .identity_policies
            .iter()
            .chain(subject.input.permissions_boundary.iter())
            .flat_map(|p| p.policy.statements().iter().map(move |s| (p, s)))
            .filter(|(_, s)| s.effect == Some(Effect::Deny) && s.conditions.is_empty())
            .collect();

        // Without a resource policy (which only a trust action has here), nothing the
        // boundary's Allow statements do not cover can be allowed: those actions are not
        // evaluated.
        let bounded = subject.input.permissions_boundary.is_some();
        let candidates: Vec<(Action<'static>, Vec<String>, String)> = candidates
            .into_values()
            .map(|(action, resources)| {
                let lower = action.full_name().to_ascii_lowercase();
                (action, resources, lower)
            })
            .filter(|(_, _, lower)| {
                !bounded
                    || self.is_trust_action(lower)
                    || lower == "sts:getcalleridentity"
                    || boundary.iter().any(|s| s.covers_action(lower))
            })
            .collect();
        let one = |(action, mut resources, lower): (Action<'static>, Vec<String>, String)| {
            for s in boundary.iter().filter(|s| s.covers_action(&lower)) {
                if let Some((false, r)) = s.resource_patterns() {
                    for r in r {
                        if !resources.iter().any(|x| x == r) {
                            resources.push(r.to_string());
                        }
                    }
                }
            }
            let resources: Vec<String> = if let Some(r) = filter.resource {
                vec![r.to_string()]
            } else if action.wildcard_only() {
                vec!["*".to_string()]
            } else {
                resources
                    .into_iter()
                    .filter(|r| r == "*" || action.resource_can_match(r))
                    .collect()
            };
            let name = action.full_name();
            // Assuming a role is decided by its trust policy too: a pattern stands for the
            // account's roles it matches, each with its own.
            let trust_action = self.is_trust_action(&lower);
            let resources = if trust_action {
                self.roles_matching(&resources)
            } else {
                resources
            };
            let mut grants: Vec<ResourceGrant> = resources
                .into_iter()
                .filter_map(|resource| {
                    // A role whose trust policy does not name the principal cannot be
                    // assumed (see who_can::may_name).
                    if trust_action
                        && let Some(trust) = self
                            .principal(&resource)
                            .and_then(|r| self.principals[r].trust.as_ref())
                        && !super::who_can::may_name(trust, &subject.principal().arn, &lower)
                    {
                        return None;
                    }
                    let rp = self.resource_policy_for(&name, &resource, None);
                    let decided = subject.decide(&name, &resource, rp.as_ref())?;
                    Some(ResourceGrant {
                        resource,
                        decided,
                        except: Vec::new(),
                    })
                })
                .collect();
            // A grant inside another one that holds as surely says nothing more. Only a
            // pattern can hold another resource (without `*` or `?` it matches itself).
            let patterns: Vec<&ResourceGrant> = grants
                .iter()
                .filter(|h| has_wildcard(&h.resource))
                .collect();
            let covered: Vec<bool> = grants
                .iter()
                .map(|g| {
                    patterns.iter().any(|h| {
                        h.decided.access <= g.decided.access
                            && h.resource != g.resource
                            && glob_cs(&h.resource, &g.resource)
                    })
                })
                .collect();
            let mut k = 0;
            grants.retain(|_| {
                k += 1;
                !covered[k - 1]
            });
            if grants.is_empty() {
                return None;
            }
            for g in &mut grants {
                for (named, s) in denies.iter().filter(|(_, s)| s.covers_action(&lower)) {
                    let Some((false, patterns)) = s.resource_patterns() else {
                        continue;
                    };
                    for d in patterns {
                        if d != g.resource
                            && glob_cs(&g.resource, d)
                            && let Some((_, r)) =
                                subject.statement(&subject.input, named.id.as_str(), s.index())
                        {
                            g.except.push((d.to_string(), r));
                        }
                    }
                }
            }
            Some(EffectiveAction { action, grants })
        };
        // Interleaved over the cores (neighbouring actions cost alike), then back in
        // catalog order.
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(8));
        if candidates.len() < PARALLEL_FROM || threads < 2 {
            return candidates.into_iter().filter_map(one).collect();
        }
        let mut parts: Vec<Vec<_>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, c) in candidates.into_iter().enumerate() {
            parts[k % threads].push((k, c));
        }
        let one = &one;
        let mut done: Vec<(usize, EffectiveAction)> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    scope.spawn(move || {
                        part.into_iter()
                            .filter_map(|(k, c)| one(c).map(|e| (k, e)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        done.sort_unstable_by_key(|(k, _)| *k);
        done.into_iter().map(|(_, e)| e).collect()
    }
}
