//! Statement elements: Principal, Action, Resource, and what the statement grants.

use serde_json::Value;

use super::{FindingType, Path, PolicyKind, Validator, closest, find_variable, json_type, suggest};
use crate::catalog::pattern::{self, has_wildcard};
use crate::catalog::{Action, Catalog, ResourcePattern, ResourceType, Service, catalog};

const TRUST_ACTIONS: [&str; 6] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

/// The partitions AWS has.
const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Resource types, each with whether one of a statement's resources can name it: filled by
/// the ARN checks (the type an ARN was found to be) and by the RESOURCE_MISMATCH check, so
/// that a type is matched against a statement's resources once.
pub(crate) type NamedTypes = Vec<(&'static ResourceType, bool)>;

/// A statement's elements, found in one pass over its members.
#[derive(Clone, Copy, Default)]
pub(crate) struct Elements<'d> {
    pub(crate) sid: Option<&'d Value>,
    pub(crate) effect: Option<&'d Value>,
    pub(crate) principal: Option<&'d Value>,
    pub(crate) not_principal: Option<&'d Value>,
    pub(crate) action: Option<&'d Value>,
    pub(crate) not_action: Option<&'d Value>,
    pub(crate) resource: Option<&'d Value>,
    pub(crate) not_resource: Option<&'d Value>,
    pub(crate) condition: Option<&'d Value>,
}

/// What the checks of one statement share.
pub(crate) struct Statement<'d> {
    pub(crate) path: Path<'d>,
    pub(crate) elements: Elements<'d>,
    pub(crate) allow: bool,
    pub(crate) deny: bool,
    /// `Action`, or `NotAction` when the statement has that and no Action.
    pub(crate) action_key: &'static str,
    /// Action (or NotAction) entries that are strings, with their indexes in the list.
    pub(crate) actions: Vec<(Option<usize>, &'d str)>,
    pub(crate) not_action: bool,
    /// `Resource`, or `NotResource` when the statement has that and no Resource.
    pub(crate) resource_key: &'static str,
    pub(crate) resources: Vec<(Option<usize>, &'d str)>,
    /// The `resources`, parsed once for the resource type checks.
    pub(crate) patterns: Vec<ResourcePattern>,
    pub(crate) not_resource: bool,
    pub(crate) condition_keys: Vec<&'d str>,
    /// The catalog actions the Action (or NotAction) entries name, entry after entry, each
    /// entry's in catalog order (none for `*`); `spans` says where each entry's are.
    pub(crate) expanded: Vec<Action<'static>>,
    spans: Vec<std::ops::Range<u32>>,
}

impl<'d> Statement<'d> {
    pub(crate) fn read(path: Path<'d>, e: Elements<'d>, allow: bool) -> Statement<'d> {
        let deny = e.effect.and_then(Value::as_str) == Some("Deny");
        let not_action = e.action.is_none() && e.not_action.is_some();
        let not_resource = e.resource.is_none() && e.not_resource.is_some();
        let condition_keys = match e.condition {
            Some(Value::Object(ops)) => ops
                .values()
                .filter_map(Value::as_object)
                .flat_map(|keys| keys.keys().map(String::as_str))
                .collect(),
            _ => Vec::new(),
        };
        let actions = strings(if not_action { e.not_action } else { e.action });
        let c = catalog();
        // Most entries name one action: room for those without growing.
        let mut expanded = Vec::with_capacity(actions.len() + 4);
        let spans = actions
            .iter()
            .map(|(_, a)| {
                let start = expanded.len() as u32;
                if *a != "*" {
                    expanded.extend(c.expand(a));
                }
                start..expanded.len() as u32
            })
            .collect();
        let resources = strings(if not_resource {
            e.not_resource
        } else {
            e.resource
        });
        let patterns = resources
            .iter()
            .map(|(_, r)| ResourcePattern::new(r))
            .collect();
        Statement {
            path,
            elements: e,
            allow,
            deny,
            action_key: if not_action { "NotAction" } else { "Action" },
            actions,
            not_action,
            resource_key: if not_resource {
                "NotResource"
            } else {
                "Resource"
            },
            resources,
            patterns,
            not_resource,
            condition_keys,
            expanded,
            spans,
        }
    }

    /// Per Action (or NotAction) entry, the catalog actions it names.
    pub(crate) fn expansions(&self) -> impl Iterator<Item = &[Action<'static>]> {
        self.spans
            .iter()
            .map(|span| &self.expanded[span.start as usize..span.end as usize])
    }

    pub(crate) fn has_condition_key(&self, key: &str) -> bool {
        self.condition_keys
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
    }

    /// True if an Action entry covers `action` (NotAction: if no entry covers it).
    fn covers(&self, action: &str) -> Option<bool> {
        let hit = self
            .actions
            .iter()
            .find(|(_, a)| pattern::glob_ci(a, action));
        if self.not_action {
            return hit.is_none().then_some(false);
        }
        hit.map(|(_, a)| has_wildcard(a))
    }

    fn star_resource(&self) -> bool {
        !self.not_resource && self.resources.iter().any(|(_, r)| r.contains('*'))
    }
}

/// The string entries of a string-or-list element, with their indexes in the list (none
/// for a lone string): see [`Path::entry`].
fn strings(v: Option<&Value>) -> Vec<(Option<usize>, &str)> {
    match v {
        Some(Value::String(s)) => vec![(None, s.as_str())],
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (Some(i), s)))
            .collect(),
        _ => Vec::new(),
    }
}

impl Validator {
    /// Type errors of a string-or-list element; true if it is an empty list.
    fn element_types(&mut self, path: &Path<'_>, key: &str, v: &Value) -> bool {
        match v {
            Value::String(_) => false,
            Value::Array(list) => {
                for (i, item) in list.iter().enumerate() {
                    if !item.is_string() {
                        self.push(
                            "DATA_TYPE_MISMATCH",
                            FindingType::Error,
                            format!("{path}.{key}[{i}]"),
                            format!("Each {key} entry is a string, not {}.", json_type(item)),
                        );
                    }
                }
                list.is_empty()
            }
            other => {
                self.push(
                    "DATA_TYPE_MISMATCH",
                    FindingType::Error,
                    format!("{path}.{key}"),
                    format!(
                        "{key} is a string or a list of strings, not {}.",
                        json_type(other)
                    ),
                );
                false
            }
        }
    }

    pub(crate) fn actions(&mut self, st: &Statement<'_>) {
        let key = st.action_key;
        let value = if st.not_action {
            st.elements.not_action
        } else {
            st.elements.action
        };
        let Some(value) = value else {
            self.push(
                "MISSING_ACTION",
                FindingType::Error,
                st.path,
                "Add an Action (or NotAction) element: the actions the statement is about.",
            );
            return;
        };
        if self.element_types(&st.path, key, value) {
            self.push(
                "EMPTY_ARRAY_ACTION",
                FindingType::Suggestion,
                st.path.key(key),
                "The action list is empty, so the statement does nothing: list actions or remove it.",
            );
        }
        if self.kind == PolicyKind::Rcp && st.not_action {
            self.push(
                "RCP_SYNTAX_ERROR_NOTACTION",
                FindingType::Error,
                st.path.key("NotAction"),
                "Resource control policies do not support NotAction: list the actions in Action.",
            );
        }
        let c = catalog();
        let element = st.path.key(key);
        for (&(index, action), covered) in st.actions.iter().zip(st.expansions()) {
            let path = element.entry(index);
            self.no_variables(&path, action);
            self.action(&path, action, st, covered, c);
        }
        // Entries another entry already covers (`*` covers every other).
        let sets: Vec<(usize, &[Action<'_>])> = if st.not_action || st.actions.len() < 2 {
            Vec::new()
        } else {
            st.expansions().enumerate().collect()
        };
        let star = st.actions.iter().position(|(_, a)| *a == "*");
        let subset = |small: &[Action<'_>], big: &[Action<'_>]| {
            let mut it = big.iter().map(Action::id);
            small.iter().all(|a| it.any(|b| b == a.id()))
        };
        for &(i, set) in &sets {
            if set.is_empty() {
                continue;
            }
            let covered_by = star.filter(|j| *j != i).map(|j| (j, set)).or_else(|| {
                sets.iter().copied().find(|&(j, other)| {
                    j != i
                        && other.len() >= set.len()
                        && (other.len() > set.len() || j < i)
                        && subset(set, other)
                })
            });
            if let Some((j, _)) = covered_by {
                let (index, action) = st.actions[i];
                let (_, by) = st.actions[j];
                self.push(
                    "REDUNDANT_ACTION",
                    FindingType::Suggestion,
                    element.entry(index),
                    format!("{action:?} is redundant: {by:?} already covers it; remove it."),
                );
            }
        }
    }

    /// Checks one Action entry; returns the catalog actions it covers.
    fn action(
        &mut self,
        path: &Path<'_>,
        action: &str,
        st: &Statement<'_>,
        covered: &[Action<'_>],
        c: &Catalog,
    ) {
        if action == "*" {
            if self.kind == PolicyKind::Trust {
                self.push(
                    "UNSUPPORTED_ACTION_IN_POLICY",
                    FindingType::Error,
                    path,
                    "A trust policy grants only sts actions: use sts:AssumeRole (sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity for federation; sts:TagSession, sts:SetSourceIdentity).",
                );
            }
            return;
        }
        let Some((service, name)) = action.split_once(':') else {
            self.push(
                "INVALID_ACTION",
                FindingType::Error,
                path,
                format!("{action:?} is not an action: write service:ActionName (\"s3:GetObject\") or \"*\"."),
            );
            return;
        };
        if service.is_empty() || name.is_empty() || action.contains(char::is_whitespace) {
            self.push(
                "INVALID_ACTION",
                FindingType::Error,
                path,
                format!("{action:?} is not an action: write service:ActionName (\"s3:GetObject\"), with no spaces."),
            );
            return;
        }
        if self.kind == PolicyKind::Scp
            && action
                .find(['*', '?'])
                .is_some_and(|i| i != action.len() - 1 || action.ends_with('?'))
        {
            self.push(
                "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
                FindingType::Error,
                path,
                format!("Service control policies take a wildcard only as the last character of an action: rewrite {action:?} (\"iam:Get*\", not \"iam:*Role\")."),
            );
        }
        let wild_service = has_wildcard(service);
        let (matching, named);
        let services: &[&Service] = if wild_service {
            matching = c
                .services()
                .iter()
                .filter(|s| pattern::glob_ci(service, s.prefix))
                .collect::<Vec<_>>();
            &matching
        } else {
            named = c.service(service);
            named.as_slice()
        };
        if services.is_empty() {
            let hint = if wild_service {
                String::new()
            } else {
                suggest(service, c.services().iter().map(|s| s.prefix))
            };
            self.push(
                "INVALID_SERVICE_IN_ACTION",
                FindingType::Error,
                path,
                format!("The service {service:?} in {action:?} does not exist{hint}: use a service prefix from the Service Authorization Reference."),
            );
            return;
        }
        if self.kind == PolicyKind::Rcp && services.iter().any(|s| !s.rcp) {
            let names: Vec<&str> = services
                .iter()
                .filter(|s| !s.rcp)
                .map(|s| s.prefix)
                .collect();
            self.push(
                "RCP_SYNTAX_ERROR_ACTION",
                FindingType::Error,
                path,
                format!(
                    "Resource control policies apply only to some services; not to {}: remove {action:?}.",
                    names.join(", ")
                ),
            );
        }
        if covered.is_empty() {
            if has_wildcard(name) {
                self.push(
                    "INVALID_ACTION",
                    FindingType::Error,
                    path,
                    format!("{action:?} matches no action of {service}: check the spelling of the pattern."),
                );
            } else {
                let names = services
                    .iter()
                    .flat_map(|s| c.actions_of(s).map(|a| a.name()));
                let hint = closest(name, names)
                    .map(|n| format!(" Did you mean \"{}:{n}\"?", services[0].prefix))
                    .unwrap_or_default();
                self.push(
                    "INVALID_ACTION",
                    FindingType::Error,
                    path,
                    format!("The action {action:?} does not exist.{hint}"),
                );
            }
            return;
        }
        if let [a] = covered
            && !has_wildcard(action)
            && (a.service().prefix != service || a.name() != name)
        {
            self.push(
                "ACTION_CASE",
                FindingType::Suggestion,
                path,
                format!("IAM matches actions in any case, but write {:?} as AWS spells it, so that searches and reviews find it.", a.full_name()),
            );
        }
        if self.kind == PolicyKind::Trust && !st.not_action {
            let trust = covered.iter().any(|a| {
                a.service().prefix == "sts"
                    && TRUST_ACTIONS
                        .iter()
                        .any(|t| t[4..].eq_ignore_ascii_case(a.name()))
            });
            if !trust {
                self.push(
                    "UNSUPPORTED_ACTION_IN_POLICY",
                    FindingType::Error,
                    path,
                    format!("{action:?} has no meaning in a trust policy: use sts:AssumeRole (sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity for federation; sts:TagSession, sts:SetSourceIdentity)."),
                );
            }
        }
    }

    pub(crate) fn resources(&mut self, st: &Statement<'_>, named: &mut NamedTypes) {
        let key = st.resource_key;
        let value = if st.not_resource {
            st.elements.not_resource
        } else {
            st.elements.resource
        };
        if self.kind == PolicyKind::Trust {
            if value.is_some() {
                self.push(
                    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
                    FindingType::Error,
                    st.path.key(key),
                    "A trust policy applies to the role it is attached to: remove the Resource element.",
                );
            }
            return;
        }
        let Some(value) = value else {
            self.push(
                "MISSING_RESOURCE",
                FindingType::Error,
                st.path,
                "Add a Resource (or NotResource) element: the ARNs the statement applies to, or \"*\".",
            );
            return;
        };
        if self.element_types(&st.path, key, value) {
            self.push(
                "EMPTY_ARRAY_RESOURCE",
                FindingType::Suggestion,
                st.path.key(key),
                "The resource list is empty, so the statement does nothing: list resources or remove it.",
            );
        }
        let element = st.path.key(key);
        for (&(index, resource), parsed) in st.resources.iter().zip(&st.patterns) {
            if resource != "*" {
                let path = element.entry(index);
                self.variables(&path, resource);
                self.arn(&path, resource, parsed, named);
            }
        }
        // Entries another entry already covers.
        for &(index, resource) in &st.resources {
            let by = st.resources.iter().find(|&&(other_index, other)| {
                other_index != index
                    && has_wildcard(other)
                    && other != resource
                    && pattern::glob_cs(other, resource)
            });
            if let Some((_, by)) = by {
                self.push(
                    "REDUNDANT_RESOURCE",
                    FindingType::Suggestion,
                    element.entry(index),
                    format!("{resource:?} is redundant: {by:?} already covers it; remove it."),
                );
            }
        }
    }

    /// Checks one resource ARN (or ARN pattern), `parsed` from it; adds the type it names to
    /// `named`.
    fn arn(
        &mut self,
        path: &Path<'_>,
        arn: &str,
        parsed: &ResourcePattern,
        named: &mut NamedTypes,
    ) {
        if !arn.starts_with("arn:") {
            self.push(
                "INVALID_ARN_PREFIX",
                FindingType::Error,
                path,
                format!("{arn:?} is not an ARN: write arn:partition:service:region:account:resource, or \"*\"."),
            );
            return;
        }
        let (fields, count) = arn_fields(arn);
        if count < 6 {
            self.push(
                "MISSING_ARN_FIELD",
                FindingType::Error,
                path,
                format!("{arn:?} has {} of the 6 fields of an ARN: write arn:partition:service:region:account:resource (leave region or account empty where the service has none).", count),
            );
            return;
        }
        let (partition, service, region, account) = (fields[1], fields[2], fields[3], fields[4]);
        let wild = |s: &str| has_wildcard(s) || find_variable(s).is_some();
        if !wild(partition) && !PARTITIONS.contains(&partition) {
            let hint = suggest(partition, PARTITIONS.iter().copied());
            self.push(
                "INVALID_PARTITION",
                FindingType::Error,
                path,
                format!("The partition {partition:?} does not exist{hint}: use aws (aws-cn in China, aws-us-gov in GovCloud)."),
            );
        }
        if service.bytes().any(|b| b.is_ascii_uppercase()) {
            self.push(
                "INVALID_ARN_SERVICE_CASE",
                FindingType::Error,
                path,
                format!(
                    "The service {service:?} in the ARN is not lowercase: write {:?}.",
                    service.to_ascii_lowercase()
                ),
            );
            return;
        }
        if wild(service) {
            self.push(
                "WILDCARD_IN_SERVICE_NAME",
                FindingType::Suggestion,
                path,
                format!("The wildcard in the service name {service:?} can match other services with similar names: name the service."),
            );
            return;
        }
        let c = catalog();
        if !c.is_arn_service(service) {
            // A service the reference lists no resource types for: nothing to check against.
            if c.service(service).is_some() {
                return;
            }
            // A warning: IAM accepts any service in an ARN (retired services' ARNs stay in
            // AWS's own policies).
            let hint = suggest(service, c.arn_service_names());
            self.push(
                "INVALID_SERVICE",
                FindingType::Warning,
                path,
                format!("No AWS resource ARN has the service {service:?}{hint}: check the ARN."),
            );
            return;
        }
        if !wild(account) && !account.is_empty() && !is_account(account) {
            self.push(
                "INVALID_ARN_ACCOUNT",
                FindingType::Error,
                path,
                format!("The account {account:?} in the ARN is not an account ID: write the 12-digit ID (or * for any)."),
            );
            return;
        }
        if !wild(region) && !region.is_empty() && !is_region(region) {
            self.push(
                "INVALID_ARN_REGION",
                FindingType::Error,
                path,
                format!("{region:?} is not an AWS Region code (us-east-1, eu-west-3...): fix the ARN's region."),
            );
            return;
        }
        if !wild(region) && !region.is_empty() && !REGIONS.contains(&region) {
            let hint = suggest(region, REGIONS.iter().copied());
            self.push(
                "INVALID_ARN_REGION",
                FindingType::Warning,
                path,
                format!("{region:?} is not an AWS Region this server knows{hint}: check the ARN's region (a Region newer than this server is fine)."),
            );
        }
        // The common case first: some resource type fits the whole ARN.
        if let Some(t) = c
            .arn_resource_types(service)
            .find(|t| t.matches_parsed(parsed))
        {
            if !named.iter().any(|(known, _)| std::ptr::eq(*known, t)) {
                named.push((t, true));
            }
            return;
        }
        let all: Vec<_> = c.arn_resource_types(service).collect();
        // The types whose resource part fits, whatever the region and account say.
        let loose = ResourcePattern::new(&format!("arn:{partition}:{service}:*:*:{}", fields[5]));
        let types: Vec<_> = c
            .arn_resource_types_of(service)
            .filter(|t| t.matches_parsed(&loose))
            .collect();
        let field = |arn: &str, i: usize| arn.split(':').nth(i).unwrap_or_default().is_empty();
        let no_region = !types.is_empty() && types.iter().all(|t| field(t.arn, 3));
        let needs_region = !types.is_empty() && types.iter().all(|t| !field(t.arn, 3));
        let no_account = !types.is_empty() && types.iter().all(|t| field(t.arn, 4));
        let needs_account = !types.is_empty() && types.iter().all(|t| !field(t.arn, 4));
        if no_region && !region.is_empty() && !wild(region) {
            self.push(
                "ARN_REGION_NOT_ALLOWED",
                FindingType::Error,
                path,
                format!("{service} resource ARNs of this kind have no Region: remove {region:?} (write arn:{partition}:{service}::...)."),
            );
            return;
        }
        if no_account && !account.is_empty() && !wild(account) {
            self.push(
                "ARN_ACCOUNT_NOT_ALLOWED",
                FindingType::Error,
                path,
                format!(
                    "{service} resource ARNs of this kind have no account ID: remove {account:?}."
                ),
            );
            return;
        }
        if needs_region && region.is_empty() {
            // A warning, not Access Analyzer's error: AWS-owned resources (public SSM
            // documents, AWS managed keys) have ARNs without them that the reference omits.
            self.push(
                "MISSING_ARN_REGION",
                FindingType::Warning,
                path,
                format!("Add a Region to the {service} resource ARN (or * for any)."),
            );
            return;
        }
        if needs_account && account.is_empty() {
            // A warning, not Access Analyzer's error: AWS-owned resources (public SSM
            // documents, AWS managed keys) have ARNs without them that the reference omits.
            self.push(
                "MISSING_ARN_ACCOUNT",
                FindingType::Warning,
                path,
                format!(
                    "Add the 12-digit account ID to the {service} resource ARN (or * for any)."
                ),
            );
            return;
        }
        let types = all;
        if !types.iter().any(|t| t.matches_parsed(parsed)) {
            let mut examples: Vec<&str> = types.iter().map(|t| t.arn).collect();
            examples.sort_unstable();
            examples.dedup();
            let shown: Vec<&str> = examples.iter().take(4).copied().collect();
            // A warning, not Access Analyzer's error: the reference lists each resource type's
            // ARN, not every form a service accepts (AWS's own policies use API Gateway's
            // /v2/apis and CloudFormation's transform ARNs, which it does not list).
            self.push(
                "INVALID_ARN_RESOURCE",
                FindingType::Warning,
                path,
                format!(
                    "{arn:?} matches no {service} resource type: its ARNs look like {}{}.",
                    shown.join(", "),
                    if examples.len() > 4 { ", ..." } else { "" }
                ),
            );
        }
    }

    /// What the statement grants: actions its resources cannot name, and the security
    /// warnings of Access Analyzer about broad grants.
    pub(crate) fn grants(&mut self, st: &Statement<'_>, named: &mut NamedTypes) {
        if !st.allow && !st.deny {
            return;
        }
        if !st.not_action && !st.not_resource && !st.resources.is_empty() {
            self.resource_mismatch(st, named);
        }
        if !st.allow || !self.kind.is_identity() {
            return;
        }
        if st.not_action {
            self.push(
                "ALLOW_WITH_NOT_ACTION",
                FindingType::SecurityWarning,
                st.path.key("NotAction"),
                "Allow with NotAction allows every action not listed, including those AWS adds later: list the allowed actions in Action instead.",
            );
        }
        if st.not_resource {
            self.push(
                "ALLOW_WITH_NOT_RESOURCE",
                FindingType::SecurityWarning,
                st.path.key("NotResource"),
                "Allow with NotResource allows the actions on every resource not listed, in every account: list the resources in Resource instead.",
            );
        }
        let passed = st.has_condition_key("iam:PassedToService");
        for (action, stem, ty, what) in [
            (
                "iam:PassRole",
                "PASS_ROLE",
                FindingType::SecurityWarning,
                "iam:PassRole lets the principal hand roles to services it controls",
            ),
            (
                "iam:CreateServiceLinkedRole",
                "CREATE_SLR",
                FindingType::Warning,
                "iam:CreateServiceLinkedRole can create service-linked roles for unintended services",
            ),
        ] {
            let Some(star_in_action) = st.covers(action) else {
                continue;
            };
            let code = match (
                st.not_action,
                star_in_action,
                st.not_resource,
                st.star_resource(),
            ) {
                (true, _, true, _) => "WITH_NOT_ACTION_AND_NOT_RESOURCE",
                (true, _, false, true) => "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
                (false, true, true, _) => "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
                (false, false, true, _) => "WITH_NOT_RESOURCE",
                (false, true, false, true) => "WITH_STAR_IN_ACTION_AND_RESOURCE",
                (false, false, false, true) => "WITH_STAR_IN_RESOURCE",
                _ => continue,
            };
            if stem == "PASS_ROLE" && passed && code.contains("RESOURCE") && !st.not_resource {
                continue;
            }
            let issue = issue_code(stem, code);
            self.push(
                issue,
                ty,
                st.path.key(st.resource_key),
                format!("{what}, and this statement allows it on many resources: name the roles in Resource (arn:aws:iam::ACCOUNT:role/NAME){}.", if stem == "PASS_ROLE" { " and add an iam:PassedToService condition" } else { "" }),
            );
        }
        if !st.not_action {
            let element = st.path.key(st.action_key);
            for &(index, action) in &st.actions {
                if action == "*" {
                    self.push(
                        "FULL_ACCESS",
                        FindingType::SecurityWarning,
                        element.entry(index),
                        "\"*\" allows every action of every service: list the actions the principal needs.",
                    );
                } else if let Some(service) = action.strip_suffix(":*") {
                    self.push(
                        "FULL_ACCESS",
                        FindingType::Warning,
                        element.entry(index),
                        format!("{action:?} allows every action of {service}, including its permissions management: list the actions the principal needs."),
                    );
                }
            }
            let broad = st
                .actions
                .iter()
                .any(|(_, a)| *a == "*" || a.ends_with(":*"));
            let takes_resources = st.expanded.iter().any(|action| !action.wildcard_only());
            let star = st.resources.iter().find(|(_, r)| *r == "*");
            if let Some(&(index, _)) = star
                && !broad
                && takes_resources
                && !st.not_resource
            {
                self.push(
                    "STAR_IN_RESOURCE",
                    FindingType::Warning,
                    st.path.key(st.resource_key).entry(index),
                    "\"*\": the actions apply to every resource of their service; name the resources where you can.",
                );
            }
        }
    }

    /// An Action entry none of whose actions can act on any of the statement's resources.
    fn resource_mismatch(&mut self, st: &Statement<'_>, named: &mut NamedTypes) {
        // Whether one of the resources names a resource type, decided once per type: the
        // actions of an entry (and of the statement) share their types.
        let star = st.patterns.iter().any(ResourcePattern::matches_star);
        let mut grants = |a: &Action<'static>| {
            if a.wildcard_only() {
                return star;
            }
            a.resource_types().any(|(ty, _)| {
                if let Some(&(_, hit)) = named.iter().find(|(t, _)| std::ptr::eq(*t, ty)) {
                    return hit;
                }
                let hit = st.patterns.iter().any(|p| ty.matches_parsed(p));
                named.push((ty, hit));
                hit
            })
        };
        let element = st.path.key(st.action_key);
        for (&(index, action), covered) in st.actions.iter().zip(st.expansions()) {
            if action == "*" || action.ends_with(":*") {
                continue;
            }
            if covered.is_empty() {
                continue;
            }
            if covered.iter().any(&mut grants) {
                continue;
            }
            let effect = if st.allow { "allows" } else { "denies" };
            let message = if covered.iter().all(|a| a.wildcard_only()) {
                format!(
                    "{action:?} supports only \"*\" as its resource, so this statement {effect} it nowhere: move it to a statement with \"Resource\": \"*\"."
                )
            } else {
                let mut types: Vec<String> = covered
                    .iter()
                    .flat_map(|a| a.resource_types().map(|(t, _)| t.name.to_owned()))
                    .collect();
                types.sort();
                types.dedup();
                let shown: Vec<&str> = types.iter().take(6).map(String::as_str).collect();
                format!(
                    "None of this statement's resources is one {action:?} acts on ({}{}), so the statement {effect} it nowhere: add a resource of those types (e.g. a bucket ARN for s3:ListBucket, an object ARN bucket/* for s3:GetObject).",
                    shown.join(", "),
                    if types.len() > 6 { ", ..." } else { "" }
                )
            };
            self.push(
                "RESOURCE_MISMATCH",
                FindingType::Warning,
                element.entry(index),
                message,
            );
        }
    }

    pub(crate) fn principals(&mut self, st: &Statement<'_>) {
        let (key, value) = match (st.elements.principal, st.elements.not_principal) {
            (Some(v), _) => ("Principal", v),
            (None, Some(v)) => ("NotPrincipal", v),
            (None, None) => {
                if matches!(self.kind, PolicyKind::Trust | PolicyKind::Resource) {
                    self.push(
                        "MISSING_PRINCIPAL",
                        FindingType::Error,
                        st.path,
                        if self.kind == PolicyKind::Trust {
                            "A trust policy statement needs a Principal: who may assume the role ({\"Service\": \"ec2.amazonaws.com\"}, {\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}...)."
                        } else {
                            "A resource policy statement needs a Principal: who it applies to ({\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}...)."
                        },
                    );
                }
                if self.kind == PolicyKind::Rcp {
                    self.push(
                        "RCP_SYNTAX_ERROR_PRINCIPAL",
                        FindingType::Error,
                        st.path,
                        "Resource control policies need \"Principal\": \"*\" in every statement.",
                    );
                }
                return;
            }
        };
        let path = st.path.key(key);
        let not = key == "NotPrincipal";
        match self.kind {
            PolicyKind::Identity | PolicyKind::Boundary => {
                self.push(
                    "UNSUPPORTED_PRINCIPAL",
                    FindingType::Error,
                    path,
                    format!("An identity-based policy has no {key}: it applies to the user, group or role it is attached to; remove it (Principal belongs in trust and resource policies)."),
                );
                return;
            }
            PolicyKind::Scp => {
                self.push(
                    "SCP_SYNTAX_ERROR_PRINCIPAL",
                    FindingType::Error,
                    path,
                    format!("Service control policies do not support {key}: use a Condition on aws:PrincipalArn instead."),
                );
                return;
            }
            PolicyKind::Rcp => {
                if not || !is_everyone(value) {
                    self.push(
                        "RCP_SYNTAX_ERROR_PRINCIPAL",
                        FindingType::Error,
                        path,
                        "Resource control policies support only \"Principal\": \"*\" (no NotPrincipal): narrow with Conditions instead.",
                    );
                }
                return;
            }
            PolicyKind::Trust if not => {
                if st.allow {
                    self.push(
                        "ALLOW_WITH_NOT_PRINCIPAL",
                        FindingType::SecurityWarning,
                        path,
                        "Allow with NotPrincipal allows everyone not listed, anonymous callers included: name the principals in Principal.",
                    );
                }
                self.push(
                    "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
                    FindingType::Error,
                    path,
                    "Role trust policies do not support NotPrincipal: name who may assume the role in Principal.",
                );
                return;
            }
            _ => {}
        }
        if not && st.allow {
            self.push(
                "ALLOW_WITH_NOT_PRINCIPAL",
                FindingType::SecurityWarning,
                path,
                "Allow with NotPrincipal allows everyone not listed, anonymous callers included: name the principals in Principal.",
            );
        }
        let map = match value {
            Value::String(p) if p == "*" => {
                if self.kind == PolicyKind::Trust {
                    self.push(
                        "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                        FindingType::Error,
                        path,
                        "\"Principal\": \"*\" lets anyone assume the role: name the accounts, roles, services or identity providers that may.",
                    );
                }
                return;
            }
            Value::Object(map) => map,
            _ => {
                self.push(
                    "INVALID_PRINCIPAL_FORMAT",
                    FindingType::Error,
                    path,
                    format!("{key} is \"*\" or an object such as {{\"AWS\": \"arn:aws:iam::123456789012:root\"}}, not {}.", json_type(value)),
                );
                return;
            }
        };
        if map.is_empty() {
            self.push(
                "EMPTY_OBJECT_PRINCIPAL",
                FindingType::Suggestion,
                path,
                "The principal object is empty, so the statement applies to no one: name principals or remove the statement.",
            );
            return;
        }
        let mut aws_entries: Vec<&str> = Vec::new();
        let mut federated: Vec<&str> = Vec::new();
        let mut services: Vec<&str> = Vec::new();
        for (pkey, pvalue) in map {
            let ppath = path.key(pkey);
            if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&pkey.as_str()) {
                let hint = suggest(
                    pkey,
                    ["AWS", "Service", "Federated", "CanonicalUser"].into_iter(),
                );
                self.push(
                    "INVALID_PRINCIPAL_KEY",
                    FindingType::Error,
                    ppath,
                    format!("The principal key {pkey:?} is not valid: use AWS, Service, Federated or CanonicalUser{hint}."),
                );
                continue;
            }
            if self.element_types(&path, pkey, pvalue) {
                self.push(
                    "EMPTY_ARRAY_PRINCIPAL",
                    FindingType::Suggestion,
                    ppath,
                    "The principal list is empty: name principals or remove it.",
                );
            }
            for (index, entry) in strings(Some(pvalue)) {
                let epath = ppath.entry(index);
                self.no_variables(&epath, entry);
                match pkey.as_str() {
                    "AWS" => {
                        self.aws_principal(&epath, entry);
                        aws_entries.push(entry);
                    }
                    "Service" => {
                        if has_wildcard(entry) {
                            self.push(
                                "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                                FindingType::Error,
                                epath,
                                "Wildcards are not supported in a Service principal: name the service (ec2.amazonaws.com).",
                            );
                        } else if !is_service_principal(entry) {
                            self.push(
                                "INVALID_SERVICE_PRINCIPAL_FORMAT",
                                FindingType::Error,
                                epath,
                                format!("{entry:?} is not a service principal: write the service's lowercase name, as service.amazonaws.com (ec2.amazonaws.com, lambda.amazonaws.com)."),
                            );
                        }
                        services.push(entry);
                    }
                    "Federated" | "CanonicalUser" if has_wildcard(entry) => {
                        self.push(
                            "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                            FindingType::Error,
                            epath,
                            format!("Wildcards are not supported in a {pkey} principal: name it."),
                        );
                    }
                    "Federated" => {
                        if self.kind != PolicyKind::Trust {
                            self.push(
                                "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
                                FindingType::Error,
                                epath,
                                "A federated identity provider can be a principal only in a role trust policy.",
                            );
                        } else if !is_federated(entry) {
                            self.push(
                                "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
                                FindingType::Error,
                                epath,
                                format!("{entry:?} is not an identity provider: use its domain (accounts.google.com, cognito-identity.amazonaws.com) or its ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME, arn:aws:iam::ACCOUNT:oidc-provider/HOST)."),
                            );
                        }
                        federated.push(entry);
                    }
                    _ => {}
                }
            }
        }
        if self.kind == PolicyKind::Trust {
            self.trust_principals(st, &path, &aws_entries, &federated, &services);
        }
        if self.kind == PolicyKind::Resource && st.allow && !not && !services.is_empty() {
            let sourced = [
                "aws:SourceArn",
                "aws:SourceAccount",
                "aws:SourceOrgID",
                "aws:SourceOrgPaths",
            ]
            .iter()
            .any(|k| st.has_condition_key(k));
            if !sourced {
                self.push(
                    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
                    FindingType::SecurityWarning,
                    path,
                    "Granting access to a service principal without naming the source lets any account's use of that service act here: add an aws:SourceArn or aws:SourceAccount condition.",
                );
            }
        }
        if not && st.deny {
            for entry in &aws_entries {
                let Some(account) = arn_account(entry) else {
                    continue;
                };
                if entry.ends_with(":root") {
                    continue;
                }
                let listed = aws_entries
                    .iter()
                    .any(|e| *e == account || *e == format!("arn:aws:iam::{account}:root"));
                if !listed {
                    self.push(
                        "NOT_PRINCIPAL_WITHOUT_ACCOUNT",
                        FindingType::Warning,
                        path,
                        format!("NotPrincipal names {entry} but not its account: AWS checks the account first, so {entry} is denied too; add \"arn:aws:iam::{account}:root\" to NotPrincipal (or use a Condition on aws:PrincipalArn)."),
                    );
                }
            }
        }
    }

    fn aws_principal(&mut self, path: &Path<'_>, entry: &str) {
        if entry == "*" {
            if self.kind == PolicyKind::Trust {
                self.push(
                    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                    FindingType::Error,
                    path,
                    "{\"AWS\": \"*\"} lets any AWS principal assume the role: name the accounts or roles that may.",
                );
            }
            return;
        }
        if has_wildcard(entry) {
            self.push(
                "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
                FindingType::Error,
                path,
                format!("Wildcards are not supported in principal ARNs ({entry:?}): name the principals, or use \"*\" with an ArnLike condition on aws:PrincipalArn."),
            );
            return;
        }
        if entry.starts_with("AIDA") {
            self.push(
                "INVALID_USER_REFERENCE",
                FindingType::Warning,
                path,
                format!("{entry} is a user's unique ID: use the user's ARN (IAM shows IDs when a principal was deleted)."),
            );
        } else if entry.starts_with("AROA") {
            self.push(
                "INVALID_ROLE_REFERENCE",
                FindingType::Warning,
                path,
                format!("{entry} is a role's unique ID: use the role's ARN (IAM shows IDs when a principal was deleted)."),
            );
        } else if !is_account(entry) && !entry.starts_with("arn:") {
            self.push(
                "INVALID_PRINCIPAL_FORMAT",
                FindingType::Error,
                path,
                format!("{entry:?} is not an AWS principal: write an account ID (123456789012), or a user, role or account ARN."),
            );
        }
    }

    fn trust_principals(
        &mut self,
        st: &Statement<'_>,
        path: &Path<'_>,
        aws: &[&str],
        federated: &[&str],
        services: &[&str],
    ) {
        for entry in federated {
            let saml = entry.contains(":saml-provider/");
            let host = match entry.split_once(":oidc-provider/") {
                Some((_, host)) => Some(host),
                None if !saml && !entry.starts_with("arn:") => Some(*entry),
                None => None,
            };
            if aws.is_empty() && services.is_empty() && !st.not_action {
                let wrong: Vec<&str> = st
                    .actions
                    .iter()
                    .map(|(_, a)| *a)
                    .filter(|a| {
                        let a = a.to_ascii_lowercase();
                        (saml && (a == "sts:assumerole" || a == "sts:assumerolewithwebidentity"))
                            || (host.is_some()
                                && (a == "sts:assumerole" || a == "sts:assumerolewithsaml"))
                    })
                    .collect();
                if !wrong.is_empty() {
                    let right = if saml {
                        "sts:AssumeRoleWithSAML"
                    } else {
                        "sts:AssumeRoleWithWebIdentity"
                    };
                    self.push(
                        "MISMATCHED_ACTION_FOR_PRINCIPAL",
                        FindingType::Error,
                        path,
                        format!(
                            "{} is invalid with the principal {entry}: use {right}.",
                            wrong.join(", ")
                        ),
                    );
                }
            }
            if let Some(host) = host {
                let prefix = format!("{}:", host.to_ascii_lowercase());
                let conditioned = st
                    .condition_keys
                    .iter()
                    .any(|k| k.to_ascii_lowercase().starts_with(&prefix));
                if host.eq_ignore_ascii_case("token.actions.githubusercontent.com") {
                    if !st.has_condition_key("token.actions.githubusercontent.com:sub") {
                        self.push(
                            "MISSING_GITHUB_REPO_CONDITION_KEY",
                            FindingType::SecurityWarning,
                            path,
                            "Any GitHub repository can assume this role: add a condition on token.actions.githubusercontent.com:sub naming the repository and branch (\"repo:ORG/REPO:ref:refs/heads/main\").",
                        );
                    }
                } else if !conditioned {
                    self.push(
                        "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
                        FindingType::SecurityWarning,
                        path,
                        format!("Any identity of {host} can assume this role: add conditions on its claims ({host}:aud, {host}:sub)."),
                    );
                }
            }
        }
        if services
            .iter()
            .any(|s| s.eq_ignore_ascii_case("rolesanywhere.amazonaws.com"))
            && !st.not_action
        {
            let missing: Vec<&str> = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
                .into_iter()
                .filter(|a| st.covers(a).is_none())
                .collect();
            if !missing.is_empty() {
                self.push(
                    "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
                    FindingType::Error,
                    format!("{}.Action", st.path),
                    format!("rolesanywhere.amazonaws.com needs sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession: add {}.", missing.join(", ")),
                );
            }
        }
        for entry in aws {
            if let Some(rest) = entry.split_once(":assumed-role/").map(|(_, r)| r)
                && let Some((role, _)) = rest.split_once('/')
                && let Some(account) = arn_account(entry)
            {
                let parent = aws.iter().find(|e| {
                    arn_account(e) == Some(account)
                        && e.rsplit_once(":role/")
                            .is_some_and(|(_, name)| name.rsplit('/').next() == Some(role))
                });
                if let Some(parent) = parent {
                    self.push(
                        "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
                        FindingType::Suggestion,
                        path,
                        format!("{entry} is redundant: its role {parent} is already a principal; remove the session."),
                    );
                }
            }
        }
    }
}

fn issue_code(stem: &str, code: &str) -> &'static str {
    match (stem, code) {
        ("PASS_ROLE", "WITH_NOT_ACTION_AND_NOT_RESOURCE") => {
            "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"
        }
        ("PASS_ROLE", "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION") => {
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
        }
        ("PASS_ROLE", "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE") => {
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
        }
        ("PASS_ROLE", "WITH_NOT_RESOURCE") => "PASS_ROLE_WITH_NOT_RESOURCE",
        ("PASS_ROLE", "WITH_STAR_IN_ACTION_AND_RESOURCE") => {
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"
        }
        ("PASS_ROLE", _) => "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        (_, "WITH_NOT_ACTION_AND_NOT_RESOURCE") => "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        (_, "WITH_STAR_IN_RESOURCE_AND_NOT_ACTION") => {
            "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
        }
        (_, "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE") => {
            "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
        }
        (_, "WITH_NOT_RESOURCE") => "CREATE_SLR_WITH_NOT_RESOURCE",
        (_, "WITH_STAR_IN_ACTION_AND_RESOURCE") => "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        _ => "CREATE_SLR_WITH_STAR_IN_RESOURCE",
    }
}

/// The colon-separated fields of an ARN, not splitting inside `${...}` variables; the
/// sixth field keeps its colons. The fields are the array's first ones, as many as the
/// count says.
pub(crate) fn arn_fields(arn: &str) -> ([&str; 6], usize) {
    let mut out = [""; 6];
    let mut count = 0;
    let (mut start, mut depth) = (0, 0usize);
    let bytes = arn.as_bytes();
    let mut i = 0;
    while i < bytes.len() && count < 5 {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                out[count] = &arn[start..i];
                count += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out[count] = &arn[start..];
    (out, count + 1)
}

fn is_account(s: &str) -> bool {
    (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())) || s == "aws"
}

/// The AWS Regions (all partitions) as of this catalog. A Region launched later is a
/// warning, not an error.
pub(crate) const REGIONS: [&str; 46] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "us-isof-east-1",
    "eusc-de-east-1",
];

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`.
pub(crate) fn is_region(s: &str) -> bool {
    let parts = || s.split('-');
    parts().count() >= 3
        && parts().next().is_some_and(|p| p.len() == 2)
        && parts().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts()
            .next_back()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_service_principal(s: &str) -> bool {
    let host = s
        .strip_suffix(".amazonaws.com")
        .or_else(|| s.strip_suffix(".amazonaws.com.cn"))
        .or_else(|| s.strip_suffix(".amazon.com"))
        .or_else(|| s.strip_suffix(".c2s.ic.gov"))
        .or_else(|| s.strip_suffix(".sc2s.sgov.gov"));
    host.is_some_and(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    })
}

fn is_federated(s: &str) -> bool {
    if s.starts_with("arn:") {
        return s.contains(":saml-provider/") || s.contains(":oidc-provider/");
    }
    s.contains('.') && !s.contains(char::is_whitespace) && !has_wildcard(s)
}

fn is_everyone(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "*",
        Value::Object(m) => m.len() == 1 && m.get("AWS").and_then(Value::as_str) == Some("*"),
        _ => false,
    }
}

/// The account of `arn:aws:iam::123456789012:user/x`, or of a bare account ID.
fn arn_account(entry: &str) -> Option<&str> {
    if is_account(entry) {
        return Some(entry);
    }
    let (fields, count) = arn_fields(entry);
    (count == 6 && (fields[2] == "iam" || fields[2] == "sts"))
        .then(|| fields[4])
        .filter(|a| is_account(a))
}
