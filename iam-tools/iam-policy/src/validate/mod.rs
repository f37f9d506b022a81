//! Policy validation at IAM Access Analyzer's level, offline: grammar, the service catalog
//! (services, actions, resource types, condition keys and their types) and the security
//! checks of Access Analyzer's ValidatePolicy, each finding with its issue code, type,
//! message (what to change) and path into the document.
//!
//! Issue codes and finding types are Access Analyzer's wherever the check is one of theirs
//! (IAM User Guide, "IAM policy validation check reference"); the few checks of this
//! server's own are listed in [`OWN_CHECKS`]. The checks Access Analyzer has and this
//! module leaves out are listed in [`LEFT_OUT`], with the reason.

mod conditions;
mod elements;

use std::fmt::{self, Write as _};

use serde::Serialize;
use serde_json::{Map, Value};

/// Which kind of policy a document is; each has its own grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Attached to a user, group or role (managed or inline): no Principal.
    Identity,
    /// A role's trust policy: who may assume it (Principal, no Resource).
    Trust,
    /// A resource-based policy (bucket, key, queue policy...): Principal and Resource.
    Resource,
    /// A permissions boundary: an identity policy that sets the maximum permissions.
    Boundary,
    /// An AWS Organizations service control policy.
    Scp,
    /// An AWS Organizations resource control policy.
    Rcp,
}

impl PolicyKind {
    /// As the manifest and the tools name it.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Trust => "trust",
            PolicyKind::Resource => "resource",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
        }
    }

    pub fn parse(text: &str) -> Option<PolicyKind> {
        Some(match text {
            "identity" => PolicyKind::Identity,
            "trust" => PolicyKind::Trust,
            "resource" => PolicyKind::Resource,
            "boundary" | "permissions_boundary" => PolicyKind::Boundary,
            "scp" => PolicyKind::Scp,
            "rcp" => PolicyKind::Rcp,
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 6] =
        ["identity", "trust", "resource", "boundary", "scp", "rcp"];

    /// Identity policies and boundaries: attached to principals, no Principal element.
    fn is_identity(self) -> bool {
        matches!(self, PolicyKind::Identity | PolicyKind::Boundary)
    }
}

/// Access Analyzer's finding types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingType {
    /// IAM (or the service) refuses the document, or it cannot do what it says.
    Error,
    /// It grants more than it seems to.
    SecurityWarning,
    /// It does not work as written, or misses a recommended practice.
    Warning,
    /// It could be simpler.
    Suggestion,
}

impl FindingType {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Finding {
    /// Access Analyzer's issue code (`INVALID_ACTION`), or one of [`OWN_CHECKS`].
    pub issue_code: &'static str,
    pub finding_type: FindingType,
    /// What is wrong and what to change.
    pub message: String,
    /// Where: `Statement[0].Action[1]`, `Statement[2].Condition.StringEquals.aws:SourceIp`.
    pub path: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} [{}]", self.path, self.message, self.issue_code)
    }
}

/// The checks of this server's own (not in Access Analyzer's reference), with why.
pub const OWN_CHECKS: &[(&str, &str)] = &[
    (
        "RESOURCE_MISMATCH",
        "an action whose resource types none of the statement's Resource entries can name (s3:ListBucket on an object ARN; a \"*\"-only action on an ARN): the statement grants it nowhere (Parliament's check of that name)",
    ),
    (
        "ALLOW_WITH_NOT_ACTION",
        "Allow with NotAction allows every action not listed, including those AWS adds later",
    ),
    (
        "ALLOW_WITH_NOT_RESOURCE",
        "Allow with NotResource allows the actions on every resource not listed, in every account",
    ),
    (
        "FULL_ACCESS",
        "Allow of every action (\"*\") or of every action of a service (\"s3:*\")",
    ),
    (
        "STAR_IN_RESOURCE",
        "\"Resource\": \"*\" for actions that take resources: they apply to every resource of their service",
    ),
    (
        "ACTION_CASE",
        "an action written in another case than AWS's (S3:getobject): IAM accepts it, searches and reviews miss it",
    ),
    (
        "NOT_PRINCIPAL_WITHOUT_ACCOUNT",
        "Deny with NotPrincipal naming a user or role but not its account: AWS checks the account first, so the principal is denied too (User Guide, NotPrincipal)",
    ),
];

/// Access Analyzer checks left out, and why.
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "INVALID_ARN_REGION, INVALID_REGION, INVALID_PARTITION (per service)",
        "need the list of Regions and partitions each service is offered in, which the Service Authorization Reference does not carry; the partition itself and a Region's shape are checked",
    ),
    (
        "UNSUPPORTED_ACTION_IN_POLICY, UNSUPPORTED_RESOURCE_ARN_IN_POLICY, IRRELEVANT_CONDITION_KEY_IN_POLICY, POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        "need AWS's unpublished table of what each resource-policy type (bucket, key, queue...) accepts; the trust-policy case (sts actions only) is checked",
    ),
    (
        "UNTRUSTWORTHY_CONDITION_KEY, UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL, RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL, MISSING_ACTION_FOR_CONDITION_KEY, USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES",
        "rest on unpublished AWS key tables (only one or two examples are documented)",
    ),
    (
        "VARIABLE_USAGE_TOO_PERMISSIVE, WILDCARD_USAGE_TOO_PERMISSIVE",
        "the list of sensitive keys they apply to is unpublished",
    ),
    (
        "EQUIVALENT_TO_NULL_TRUE, EQUIVALENT_TO_NULL_FALSE, REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION, REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION",
        "their triggers are not documented",
    ),
    (
        "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY, RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY, RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK",
        "the key and service sets that trigger them are unpublished",
    ),
    (
        "CONFIRM_AUDIENCE_CLAIM_TYPE, FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE, INVALID_KMS_KEY_VALUE",
        "whether an identity provider's claim is single-valued, and which keys take KMS key ARNs, is not in the catalog",
    ),
];

/// Validates `doc` (a JSON object, or a string holding one) as a policy of `kind`.
/// Findings come in document order.
pub fn validate(doc: &Value, kind: PolicyKind) -> Vec<Finding> {
    let mut v = Validator::new(kind);
    match doc {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed) => {
                v.size_checks(text);
                v.document(&parsed);
            }
            Err(e) => v.push(
                "JSON_SYNTAX_ERROR",
                FindingType::Error,
                "$",
                format!(
                    "Fix the JSON syntax error at line {} column {}: {e}.",
                    e.line(),
                    e.column()
                ),
            ),
        },
        other => {
            v.document(other);
            v.size_checks_value(other);
        }
    }
    v.findings
}

/// Validates a policy given as JSON text.
pub fn validate_str(text: &str, kind: PolicyKind) -> Vec<Finding> {
    validate(&Value::String(text.to_owned()), kind)
}

/// Where a finding is (`Statement[3].Action[1]`), built as the checks descend and written
/// out only when a finding names it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// A document element (`Version`, `Statement`).
    Root(&'a str),
    /// A member of an object.
    Key(&'a Path<'a>, &'a str),
    /// An item of a list.
    Index(&'a Path<'a>, usize),
}

/// The Statement element: `Statement` when it is one object, else its items' parent.
static STATEMENT: Path<'static> = Path::Root("Statement");

impl<'a> Path<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    /// An entry of a string-or-list element: the item `index`, or the element itself for a
    /// lone string.
    pub(crate) fn entry(&'a self, index: Option<usize>) -> Path<'a> {
        match index {
            Some(i) => Path::Index(self, i),
            None => *self,
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

pub(crate) struct Validator {
    kind: PolicyKind,
    findings: Vec<Finding>,
    /// Version 2012-10-17: policy variables work.
    variables_work: bool,
    /// The statement objects [`Validator::document`] measured (address, compact length),
    /// in order: the size check counts them without a second walk.
    measured: Vec<(usize, usize)>,
}

const DOCUMENT_ELEMENTS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl Validator {
    fn new(kind: PolicyKind) -> Validator {
        Validator {
            kind,
            findings: Vec::new(),
            variables_work: false,
            measured: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        code: &'static str,
        ty: FindingType,
        path: impl fmt::Display,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            issue_code: code,
            finding_type: ty,
            message: message.into(),
            path: path.to_string(),
        });
    }

    /// Size quotas of a parsed document: its compact JSON length, without serialising it.
    /// Runs after [`Validator::document`], whose statement lengths it reuses; its finding
    /// goes first, as for a document given as text.
    fn size_checks_value(&mut self, doc: &Value) {
        fn len(v: &Value, known: &[(usize, usize)]) -> usize {
            if let Value::Object(_) = v
                && let Some(&(_, n)) = known.iter().find(|(at, _)| *at == address(v))
            {
                return n;
            }
            match v {
                Value::Array(list) => {
                    1 + list.iter().map(|v| len(v, known) + 1).sum::<usize>().max(1)
                }
                Value::Object(map) => {
                    1 + map
                        .iter()
                        .map(|(k, v)| 2 + chars(k) + 1 + len(v, known) + 1)
                        .sum::<usize>()
                        .max(1)
                }
                scalar => measure(scalar).1,
            }
        }
        let others = std::mem::take(&mut self.findings);
        self.size_check(len(doc, &self.measured));
        self.findings.extend(others);
    }

    /// Size quotas, counted as IAM counts them (whitespace excluded).
    fn size_checks(&mut self, text: &str) {
        self.size_check(text.chars().filter(|c| !c.is_whitespace()).count());
    }

    fn size_check(&mut self, size: usize) {
        let (code, ty, quota, what) = match self.kind {
            PolicyKind::Identity | PolicyKind::Boundary => (
                "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                FindingType::Warning,
                6_144,
                "managed policies",
            ),
            PolicyKind::Trust => (
                "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
                FindingType::Warning,
                2_048,
                "role trust policies (by default; the quota can be raised to 8,192)",
            ),
            PolicyKind::Scp => (
                "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
                FindingType::Error,
                5_120,
                "service control policies",
            ),
            PolicyKind::Rcp => (
                "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
                FindingType::Error,
                5_120,
                "resource control policies",
            ),
            PolicyKind::Resource => return,
        };
        if size > quota {
            self.push(
                code,
                ty,
                "$",
                format!("The document has {size} characters (whitespace excluded), more than the {quota} allowed for {what}: split it into several policies."),
            );
        }
    }

    fn document(&mut self, doc: &Value) {
        let Value::Object(map) = doc else {
            self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                "$",
                "A policy document is a JSON object: {\"Version\": \"2012-10-17\", \"Statement\": [...]}.",
            );
            return;
        };
        for key in map.keys() {
            if !DOCUMENT_ELEMENTS.contains(&key.as_str()) {
                let hint = suggest(key, DOCUMENT_ELEMENTS.iter().copied());
                self.push(
                    "INVALID_POLICY_ELEMENT",
                    FindingType::Error,
                    key,
                    format!("The policy element {key:?} is not valid: a document has Version, Id and Statement{hint}."),
                );
            }
        }
        // IAM refuses managed identity policies without version 2012-10-17 ("Policy document
        // must be version 2012-10-17 or greater"): an error there, Access Analyzer's warning
        // elsewhere.
        let required = self.kind.is_identity();
        match map.get("Version") {
            None => self.push(
                "MISSING_VERSION",
                if required { FindingType::Error } else { FindingType::Warning },
                "Version",
                if required {
                    "Add \"Version\": \"2012-10-17\": IAM refuses managed policies without it, and reads inline ones as version 2008-10-17, where policy variables are plain text."
                } else {
                    "Add \"Version\": \"2012-10-17\": without it the policy is read as version 2008-10-17, where policy variables are plain text."
                },
            ),
            Some(Value::String(v)) if v == "2012-10-17" => self.variables_work = true,
            Some(Value::String(v)) if v == "2008-10-17" && required => self.push(
                "INVALID_VERSION",
                FindingType::Error,
                "Version",
                "IAM refuses managed policies of version 2008-10-17: write \"Version\": \"2012-10-17\".",
            ),
            Some(Value::String(v)) if v == "2008-10-17" => {}
            Some(Value::String(v)) => self.push(
                "INVALID_VERSION",
                FindingType::Error,
                "Version",
                format!("The version {v:?} is not valid: use \"2012-10-17\" (or \"2008-10-17\")."),
            ),
            Some(other) => self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                "Version",
                format!("Version is a string, not {}: write \"Version\": \"2012-10-17\".", json_type(other)),
            ),
        }
        if let Some(id) = map.get("Id")
            && !id.is_string()
        {
            self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                "Id",
                format!("Id is a string, not {}.", json_type(id)),
            );
        }
        let statements: Vec<(Path<'static>, &Value)> = match map.get("Statement") {
            None => {
                self.push(
                    "MISSING_STATEMENT",
                    FindingType::Error,
                    "Statement",
                    "Add a Statement: a list of {\"Effect\", \"Action\", \"Resource\"} objects.",
                );
                return;
            }
            Some(Value::Array(list)) if list.is_empty() => {
                self.push(
                    "MISSING_STATEMENT",
                    FindingType::Error,
                    "Statement",
                    "The Statement list is empty: add a statement.",
                );
                return;
            }
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, s)| (Path::Index(&STATEMENT, i), s))
                .collect(),
            Some(one @ Value::Object(_)) => vec![(STATEMENT, one)],
            Some(other) => {
                self.push(
                    "DATA_TYPE_MISMATCH",
                    FindingType::Error,
                    "Statement",
                    format!("Statement is a list of objects, not {}.", json_type(other)),
                );
                return;
            }
        };
        let mut sids: Vec<(&str, Path<'_>)> = Vec::new();
        // Statements with their fingerprints: a statement is compared with those whose
        // fingerprint it shares.
        let mut seen: Vec<(u64, &Value, Path<'_>)> = Vec::new();
        for &(path, statement) in &statements {
            let Value::Object(s) = statement else {
                self.push(
                    "DATA_TYPE_MISMATCH",
                    FindingType::Error,
                    path,
                    format!(
                        "A statement is a JSON object, not {}.",
                        json_type(statement)
                    ),
                );
                continue;
            };
            if let Some(Value::String(sid)) = s.get("Sid")
                && !sid.is_empty()
            {
                if let Some((_, first)) = sids.iter().find(|(other, _)| *other == sid) {
                    // IAM refuses duplicate Sids in identity and trust policies.
                    let iam = self.kind.is_identity() || self.kind == PolicyKind::Trust;
                    self.push(
                        if iam { "UNIQUE_SIDS_REQUIRED" } else { "UNIQUE_SIDS_RECOMMENDED" },
                        if iam { FindingType::Error } else { FindingType::Warning },
                        path.key("Sid"),
                        format!("The Sid {sid:?} is already used by {first}: give each statement its own Sid."),
                    );
                } else {
                    sids.push((sid, path));
                }
            }
            let (print, size) = measure(statement);
            self.measured.push((address(statement), size));
            if let Some((_, _, first)) = seen
                .iter()
                .find(|(other_print, other, _)| *other_print == print && *other == statement)
            {
                self.push(
                    "REDUNDANT_STATEMENT",
                    FindingType::Suggestion,
                    path,
                    format!("This statement repeats {first}: remove one of them."),
                );
            } else {
                seen.push((print, statement, path));
            }
            self.statement(path, s);
        }
    }

    fn statement(&mut self, path: Path<'_>, s: &Map<String, Value>) {
        let mut e = elements::Elements::default();
        for (key, value) in s {
            let slot = match key.as_str() {
                "Sid" => &mut e.sid,
                "Effect" => &mut e.effect,
                "Principal" => &mut e.principal,
                "NotPrincipal" => &mut e.not_principal,
                "Action" => &mut e.action,
                "NotAction" => &mut e.not_action,
                "Resource" => &mut e.resource,
                "NotResource" => &mut e.not_resource,
                "Condition" => &mut e.condition,
                _ => {
                    let hint = suggest(key, STATEMENT_ELEMENTS.iter().copied());
                    self.push(
                        "INVALID_POLICY_ELEMENT",
                        FindingType::Error,
                        path.key(key),
                        format!("The policy element {key:?} is not valid in a statement{hint}."),
                    );
                    continue;
                }
            };
            *slot = Some(value);
        }
        for (a, b, both) in [
            (
                "Action",
                "NotAction",
                e.action.is_some() && e.not_action.is_some(),
            ),
            (
                "Resource",
                "NotResource",
                e.resource.is_some() && e.not_resource.is_some(),
            ),
            (
                "Principal",
                "NotPrincipal",
                e.principal.is_some() && e.not_principal.is_some(),
            ),
        ] {
            if both {
                self.push(
                    "UNSUPPORTED_ELEMENT_COMBINATION",
                    FindingType::Error,
                    path.key(b),
                    format!("The policy elements {a} and {b} can not be used in the same statement: remove one of them."),
                );
            }
        }
        match e.sid {
            Some(Value::String(sid)) if sid.is_empty() => self.push(
                "EMPTY_SID_VALUE",
                FindingType::Suggestion,
                path.key("Sid"),
                "The Sid is an empty string: give it a value or remove it.",
            ),
            Some(Value::String(sid)) if !sid.bytes().all(|b| b.is_ascii_alphanumeric()) => self
                .push(
                    "UNSUPPORTED_SID",
                    FindingType::Error,
                    path.key("Sid"),
                    format!("The Sid {sid:?} has characters IAM does not accept: use only letters and digits (A-Z, a-z, 0-9)."),
                ),
            Some(Value::String(_)) | None => {}
            Some(other) => self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                path.key("Sid"),
                format!("Sid is a string, not {}.", json_type(other)),
            ),
        }
        if let Some(Value::String(sid)) = e.sid {
            self.no_variables(&path.key("Sid"), sid);
        }
        let effect = match e.effect {
            None => {
                self.push(
                    "MISSING_EFFECT",
                    FindingType::Error,
                    path,
                    "Add \"Effect\": \"Allow\" or \"Effect\": \"Deny\" to the statement.",
                );
                None
            }
            Some(Value::String(e)) if e == "Allow" || e == "Deny" => Some(e.as_str()),
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), |e| format!("{e:?}"));
                self.push(
                    "INVALID_EFFECT",
                    FindingType::Error,
                    path.key("Effect"),
                    format!("The effect {shown} is not valid: use \"Allow\" or \"Deny\" (with that case)."),
                );
                None
            }
        };
        let statement = elements::Statement::read(path, e, effect == Some("Allow"));
        let mut named = Vec::new();
        self.principals(&statement);
        self.actions(&statement);
        self.resources(&statement, &mut named);
        self.conditions(&statement);
        self.grants(&statement, &mut named);
    }

    /// Policy variables are read in Resource and Condition values only.
    fn no_variables(&mut self, path: &Path<'_>, text: &str) {
        if let Some(start) = find_variable(text) {
            let end = text[start..]
                .find('}')
                .map_or(text.len(), |e| start + e + 1);
            let variable = &text[start..end];
            if matches!(variable, "${*}" | "${?}" | "${$}") {
                return;
            }
            self.push(
                "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                FindingType::Error,
                path,
                format!("Policy variables work only in Resource and Condition values: remove {variable} from here."),
            );
        }
    }

    /// Checks the policy variables in a Resource or Condition value.
    fn variables(&mut self, path: &Path<'_>, text: &str) {
        let mut rest = text;
        while let Some(start) = find_variable(rest) {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                self.push(
                    "MISSING_BRACE_IN_VARIABLE",
                    FindingType::Error,
                    path,
                    format!("The policy variable in {text:?} has no closing brace: add }} after its name."),
                );
                return;
            };
            let inner = &after[..end];
            rest = &after[end + 1..];
            if matches!(inner, "*" | "?" | "$") {
                continue;
            }
            if !self.variables_work {
                self.push(
                    "VARIABLE_UNSUPPORTED_IN_VERSION",
                    FindingType::Error,
                    path,
                    format!("${{{inner}}} is plain text in policy version 2008-10-17 (or with no Version): set \"Version\": \"2012-10-17\" to use policy variables."),
                );
                continue;
            }
            let (name, default) = match inner.split_once(',') {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            if name.trim().is_empty() {
                self.push(
                    "EMPTY_VARIABLE",
                    FindingType::Error,
                    path,
                    "The policy variable ${} is empty: name a variable (${aws:username}) or remove it.",
                );
            } else if name.contains(' ') {
                self.push(
                    "UNSUPPORTED_SPACE_IN_VARIABLE",
                    FindingType::Error,
                    path,
                    format!("The policy variable ${{{inner}}} has a space in its name: remove it."),
                );
            }
            if let Some(default) = default {
                let d = default.trim();
                if d.len() < 2 || !d.starts_with('\'') || !d.ends_with('\'') {
                    self.push(
                        "MISSING_QUOTE_IN_VARIABLE",
                        FindingType::Error,
                        path,
                        format!("The default value of ${{{inner}}} must be in single quotes: ${{{name}, 'default'}}."),
                    );
                }
            }
        }
    }
}

/// The number of ASCII whitespace bytes in `s`, eight bytes at a time: a word with no byte
/// below 0x21 has none (the usual "has a byte less than n" bit trick).
fn whitespace(s: &str) -> usize {
    const ONES: u64 = u64::MAX / 255;
    let count = |bytes: &[u8]| bytes.iter().filter(|b| b.is_ascii_whitespace()).count();
    let (words, rest) = s.as_bytes().as_chunks::<8>();
    let in_words: usize = words
        .iter()
        .filter(|word| {
            let x = u64::from_le_bytes(**word);
            x.wrapping_sub(ONES * 0x21) & !x & (ONES * 0x80) != 0
        })
        .map(|word| count(word))
        .sum();
    in_words + count(rest)
}

/// A cheap summary of `v` that equal values share (an object's members in any order, as `==`
/// compares them; a string by its length and first and last eight bytes): statements are
/// compared only when their fingerprints are the same. With it, in the same walk, the length
/// of `v` as compact JSON with whitespace in strings left out (the size IAM counts).
fn measure(v: &Value) -> (u64, usize) {
    fn mix(a: u64, b: u64) -> u64 {
        (a ^ b).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(31)
    }
    fn text(s: &str) -> u64 {
        let bytes = s.as_bytes();
        let (first, last) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(first), Some(last)) => (u64::from_le_bytes(*first), u64::from_le_bytes(*last)),
            _ => (bytes.iter().fold(0, |w, &b| w << 8 | u64::from(b)), 0),
        };
        mix(mix(bytes.len() as u64, first), last)
    }
    match v {
        Value::Null => (1, 4),
        Value::Bool(b) => (2 + u64::from(*b), 4 + usize::from(!b)),
        // Rare in policies (1 and 1.0 differ, 0.0 and -0.0 do not): one fingerprint for all.
        Value::Number(n) => {
            /// Counts what is written to it.
            struct Count(usize);
            impl fmt::Write for Count {
                fn write_str(&mut self, s: &str) -> fmt::Result {
                    self.0 += s.len();
                    Ok(())
                }
            }
            let mut count = Count(0);
            // Writing to a counter cannot fail.
            let _ = write!(count, "{n}");
            (4, count.0)
        }
        Value::String(s) => (text(s), 2 + s.len() - whitespace(s)),
        Value::Array(list) => {
            let (print, size) = list.iter().fold((5, 1), |(print, size), item| {
                let (p, n) = measure(item);
                (mix(print, p), size + n + 1)
            });
            (print, size.max(2))
        }
        Value::Object(map) => {
            let (print, size) = map.iter().fold((6u64, 1), |(print, size), (key, value)| {
                let (p, n) = measure(value);
                (
                    print.wrapping_add(mix(text(key), p)),
                    size + 2 + chars(key) + 1 + n + 1,
                )
            });
            (print, size.max(2))
        }
    }
}

/// The number of characters of `s` (bytes that do not continue a UTF-8 sequence).
fn chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The address of a value: a statement's identity while the document is borrowed.
fn address(v: &Value) -> usize {
    std::ptr::from_ref(v) as usize
}

/// The byte index of the first `${` (a policy variable's start) in `text`.
pub(crate) fn find_variable(text: &str) -> Option<usize> {
    text.as_bytes().windows(2).position(|w| w == b"${")
}

/// ` (did you mean "X"?)` for the closest candidate, if one is close enough.
pub(crate) fn suggest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> String {
    closest(word, candidates).map_or_else(String::new, |c| format!(" (did you mean {c:?}?)"))
}

/// The candidate closest to `word` (case-insensitive), when it is close enough to be a typo.
pub(crate) fn closest<'c>(
    word: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.len() / 4).clamp(1, 3);
    best.filter(|(d, _)| *d > 0 && *d <= limit).map(|(_, c)| c)
}

pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
