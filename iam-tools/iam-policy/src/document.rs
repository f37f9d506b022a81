//! Policy document model and parser. Parsing collects every problem with the JSON path
//! where it was found (`Statement[1].Effect: must be "Allow" or "Deny", got "Alow"`) and
//! never panics; [`Policy::parse_lenient`] also returns the best-effort policy, in which
//! an invalid statement or condition simply never applies.

use serde::Serialize;
use serde_json::Value;

use super::condition::Condition;
use super::matching::{ActionPattern, PrincipalEntry, ResourcePattern};
use super::positions::{Position, statement_positions};

/// One problem found in a policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyProblem {
    /// JSON path of the offending element (`$` for the document itself).
    pub path: String,
    /// What is wrong, quoting the offending value.
    pub message: String,
}

impl std::fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// Action or NotAction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ActionBlock {
    pub(crate) not: bool,
    pub(crate) patterns: Vec<ActionPattern>,
}

impl ActionBlock {
    /// Action names `action_lower` (NotAction: does not).
    pub(crate) fn covers(&self, action_lower: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(action_lower)) != self.not
    }
}

/// Resource or NotResource.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourceBlock {
    pub(crate) not: bool,
    pub(crate) patterns: Vec<ResourcePattern>,
}

/// Principal or NotPrincipal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrincipalBlock {
    pub(crate) not: bool,
    pub(crate) entries: Vec<PrincipalEntry>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) index: usize,
    pub(crate) sid: Option<String>,
    /// `None` when Effect is missing or invalid: the statement never applies.
    pub(crate) effect: Option<Effect>,
    /// `None` when neither Action nor NotAction is usable: the statement never applies.
    pub(crate) action: Option<ActionBlock>,
    /// `None` when the statement has no Resource / NotResource (trust policies).
    pub(crate) resource: Option<ResourceBlock>,
    pub(crate) principal: Option<PrincipalBlock>,
    pub(crate) conditions: Vec<Condition>,
    /// Where the statement starts and ends in the policy text (parse from text only).
    pub(crate) span: Option<(Position, Position)>,
}

impl Statement {
    /// Position of the statement in the policy (0-based).
    pub fn index(&self) -> usize {
        self.index
    }
    /// The statement's Sid, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }
    /// The statement's effect (`None` if it was missing or invalid).
    pub fn effect(&self) -> Option<Effect> {
        self.effect
    }
    /// Start and end of the statement in the policy text, when parsed from text.
    pub fn span(&self) -> Option<(Position, Position)> {
        self.span
    }
    /// The statement's Action (or NotAction) covers `action_lower`.
    pub(crate) fn covers_action(&self, action_lower: &str) -> bool {
        self.action.as_ref().is_some_and(|a| a.covers(action_lower))
    }
    /// True if the statement has a Principal or NotPrincipal element.
    pub fn has_principal(&self) -> bool {
        self.principal.is_some()
    }
    /// The Action (`false`) or NotAction (`true`) patterns as written; `None` when the
    /// statement has neither usable.
    pub fn action_patterns(&self) -> Option<(bool, impl Iterator<Item = &str>)> {
        let block = self.action.as_ref()?;
        Some((block.not, block.patterns.iter().map(|p| &*p.raw)))
    }
    /// The Resource (`false`) or NotResource (`true`) patterns as written; `None` when the
    /// statement has neither (a trust policy's statements).
    pub fn resource_patterns(&self) -> Option<(bool, impl Iterator<Item = &str>)> {
        let block = self.resource.as_ref()?;
        Some((block.not, block.patterns.iter().map(|p| p.raw())))
    }
    /// The Condition element, rebuilt as `{operator: {key: [values]}}`; `None` without one.
    pub fn condition_json(&self) -> Option<Value> {
        if self.conditions.is_empty() {
            return None;
        }
        let mut out = serde_json::Map::new();
        for c in &self.conditions {
            let keys = out
                .entry(c.operator_name.clone())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Value::Object(keys) = keys {
                keys.insert(
                    c.key.clone(),
                    c.values.iter().map(|v| Value::from(v.raw())).collect(),
                );
            }
        }
        Some(Value::Object(out))
    }
}

impl Policy {
    /// Parses a policy document; any problem rejects it, and all problems are reported.
    pub fn parse(doc: &Value) -> Result<Policy, Vec<PolicyProblem>> {
        let (policy, problems) = Policy::parse_lenient(doc);
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(problems)
        }
    }

    /// Parses a policy document given as JSON text; statements then carry their
    /// line/column span (AWS's StartPosition / EndPosition).
    pub fn parse_str(text: &str) -> Result<Policy, Vec<PolicyProblem>> {
        let (policy, problems) = Policy::parse_str_lenient(text);
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(problems)
        }
    }

    /// [`Policy::parse_lenient`] for JSON text.
    pub fn parse_str_lenient(text: &str) -> (Policy, Vec<PolicyProblem>) {
        match serde_json::from_str::<Value>(text) {
            Ok(doc) => {
                let (mut policy, problems) = Policy::parse_lenient(&doc);
                let spans = statement_positions(text);
                for stmt in &mut policy.statements {
                    stmt.span = spans.get(stmt.index).copied();
                }
                (policy, problems)
            }
            Err(e) => (
                Policy {
                    version: None,
                    id: None,
                    statements: Vec::new(),
                },
                vec![PolicyProblem {
                    path: "$".into(),
                    message: format!("invalid JSON: {e}"),
                }],
            ),
        }
    }

    /// Parses what can be parsed and returns it with the problems found. Invalid parts
    /// are dropped (a statement without a valid Effect or Action never applies; an
    /// unknown condition operator never holds).
    ///
    /// A JSON string is read as the policy text, plain or percent-encoded (as IAM
    /// returns policy documents).
    pub fn parse_lenient(doc: &Value) -> (Policy, Vec<PolicyProblem>) {
        if let Value::String(text) = doc {
            let trimmed = text.trim_start();
            if !trimmed.starts_with('{') && trimmed.starts_with('%') {
                let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
                return Policy::parse_str_lenient(&decoded);
            }
            return Policy::parse_str_lenient(text);
        }
        let mut p = Parser {
            problems: Vec::new(),
        };
        let policy = p.policy(doc);
        (policy, p.problems)
    }

    /// The Version element, if present.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    /// The Id element, if present.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

struct Parser {
    problems: Vec<PolicyProblem>,
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path == "$" {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Parser {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(PolicyProblem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn policy(&mut self, doc: &Value) -> Policy {
        let mut policy = Policy {
            version: None,
            id: None,
            statements: Vec::new(),
        };
        let Value::Object(map) = doc else {
            self.problem(
                "$",
                format!(
                    "a policy document must be a JSON object, got {}",
                    describe(doc)
                ),
            );
            return policy;
        };
        for key in map.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                self.problem(key, "unknown element (expected Version, Id, Statement)");
            }
        }
        match map.get("Version") {
            None => {}
            Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {
                policy.version = Some(v.clone())
            }
            Some(other) => self.problem(
                "Version",
                format!(
                    "must be \"2012-10-17\" or \"2008-10-17\", got {}",
                    describe(other)
                ),
            ),
        }
        match map.get("Id") {
            None => {}
            Some(Value::String(v)) => policy.id = Some(v.clone()),
            Some(other) => self.problem("Id", format!("must be a string, got {}", describe(other))),
        }
        // Policy variables exist only in version 2012-10-17.
        let variables = policy.version.as_deref() == Some("2012-10-17");
        match map.get("Statement") {
            None => self.problem("Statement", "required element is missing"),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("Statement[{i}]");
                    if let Some(s) = self.statement(item, i, &path, variables) {
                        policy.statements.push(s);
                    }
                }
            }
            Some(obj @ Value::Object(_)) => {
                if let Some(s) = self.statement(obj, 0, "Statement", variables) {
                    policy.statements.push(s);
                }
            }
            Some(other) => self.problem(
                "Statement",
                format!(
                    "must be an object or an array of objects, got {}",
                    describe(other)
                ),
            ),
        }
        policy
    }

    fn statement(
        &mut self,
        v: &Value,
        index: usize,
        path: &str,
        variables: bool,
    ) -> Option<Statement> {
        let Value::Object(map) = v else {
            self.problem(
                path,
                format!("a statement must be an object, got {}", describe(v)),
            );
            return None;
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "Sid"
                    | "Effect"
                    | "Principal"
                    | "NotPrincipal"
                    | "Action"
                    | "NotAction"
                    | "Resource"
                    | "NotResource"
                    | "Condition"
            ) {
                self.problem(&join(path, key), "unknown element");
            }
        }
        let sid = match map.get("Sid") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    &join(path, "Sid"),
                    format!("must be a string, got {}", describe(other)),
                );
                None
            }
        };
        let effect = match map.get("Effect") {
            Some(Value::String(s)) if s == "Allow" => Some(Effect::Allow),
            Some(Value::String(s)) if s == "Deny" => Some(Effect::Deny),
            None => {
                self.problem(
                    &join(path, "Effect"),
                    "required element is missing (\"Allow\" or \"Deny\")",
                );
                None
            }
            Some(other) => {
                self.problem(
                    &join(path, "Effect"),
                    format!("must be \"Allow\" or \"Deny\", got {}", describe(other)),
                );
                None
            }
        };
        let action = match (map.get("Action"), map.get("NotAction")) {
            (Some(_), Some(_)) => {
                self.problem(path, "Action and NotAction cannot be used together");
                None
            }
            (None, None) => {
                self.problem(path, "one of Action or NotAction is required");
                None
            }
            (Some(a), None) => self
                .strings(a, &join(path, "Action"), false)
                .map(|v| ActionBlock {
                    not: false,
                    patterns: v.iter().map(|s| ActionPattern::new(s)).collect(),
                }),
            (None, Some(a)) => {
                self.strings(a, &join(path, "NotAction"), false)
                    .map(|v| ActionBlock {
                        not: true,
                        patterns: v.iter().map(|s| ActionPattern::new(s)).collect(),
                    })
            }
        };
        let action_ok = action.is_some();
        let resource = match (map.get("Resource"), map.get("NotResource")) {
            (Some(_), Some(_)) => {
                self.problem(path, "Resource and NotResource cannot be used together");
                Some(None)
            }
            (None, None) => None,
            (Some(r), None) => Some(self.strings(r, &join(path, "Resource"), false).map(|v| {
                ResourceBlock {
                    not: false,
                    patterns: v
                        .iter()
                        .map(|s| ResourcePattern::new(s, variables))
                        .collect(),
                }
            })),
            (None, Some(r)) => Some(self.strings(r, &join(path, "NotResource"), false).map(|v| {
                ResourceBlock {
                    not: true,
                    patterns: v
                        .iter()
                        .map(|s| ResourcePattern::new(s, variables))
                        .collect(),
                }
            })),
        };
        // An unusable Resource element makes the statement inapplicable; keep it with an
        // empty Resource list (matches nothing).
        let resource = match resource {
            None => None,
            Some(Some(block)) => Some(block),
            Some(None) => Some(ResourceBlock {
                not: false,
                patterns: Vec::new(),
            }),
        };
        let principal = match (map.get("Principal"), map.get("NotPrincipal")) {
            (Some(_), Some(_)) => {
                self.problem(path, "Principal and NotPrincipal cannot be used together");
                Some(PrincipalBlock {
                    not: false,
                    entries: Vec::new(),
                })
            }
            (None, None) => None,
            (Some(p), None) => Some(PrincipalBlock {
                not: false,
                entries: self.principal(p, &join(path, "Principal")),
            }),
            (None, Some(p)) => Some(PrincipalBlock {
                not: true,
                entries: self.principal(p, &join(path, "NotPrincipal")),
            }),
        };
        let conditions = match map.get("Condition") {
            None => Vec::new(),
            Some(c) => self.conditions(c, &join(path, "Condition"), variables),
        };
        Some(Statement {
            index,
            sid,
            effect,
            action: if action_ok { action } else { None },
            resource,
            principal,
            conditions,
            span: None,
        })
    }

    /// A string or a non-empty array of strings. `scalars` also accepts numbers and
    /// booleans (condition values), read as their JSON text.
    fn strings(&mut self, v: &Value, path: &str, scalars: bool) -> Option<Vec<String>> {
        let one = |v: &Value| -> Option<String> {
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) if scalars => Some(n.to_string()),
                Value::Bool(b) if scalars => Some(b.to_string()),
                _ => None,
            }
        };
        match v {
            Value::Array(items) => {
                if items.is_empty() {
                    self.problem(path, "must not be an empty array");
                    return None;
                }
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match one(item) {
                        Some(s) => out.push(s),
                        None => {
                            ok = false;
                            self.problem(
                                &format!("{path}[{i}]"),
                                format!("must be a string, got {}", describe(item)),
                            );
                        }
                    }
                }
                ok.then_some(out)
            }
            other => match one(other) {
                Some(s) => Some(vec![s]),
                None => {
                    self.problem(
                        path,
                        format!(
                            "must be a string or an array of strings, got {}",
                            describe(other)
                        ),
                    );
                    None
                }
            },
        }
    }

    fn principal(&mut self, v: &Value, path: &str) -> Vec<PrincipalEntry> {
        match v {
            Value::String(s) if s == "*" => vec![PrincipalEntry::Everyone],
            Value::String(s) => {
                self.problem(path, format!("must be \"*\" or an object such as {{\"AWS\": ...}}, got {s:?} (read as {{\"AWS\": {s:?}}})"));
                vec![PrincipalEntry::Aws(s.clone())]
            }
            Value::Object(map) => {
                let mut out = Vec::new();
                for (kind, value) in map {
                    let p = join(path, kind);
                    let Some(items) = self.strings(value, &p, false) else {
                        continue;
                    };
                    for item in items {
                        out.push(match kind.as_str() {
                            "AWS" if item == "*" => PrincipalEntry::Everyone,
                            "AWS" => PrincipalEntry::Aws(item),
                            "Service" => PrincipalEntry::Service(item),
                            "Federated" => PrincipalEntry::Federated(item),
                            "CanonicalUser" => PrincipalEntry::CanonicalUser(item),
                            _ => {
                                self.problem(&p, "unknown principal type (expected AWS, Service, Federated, CanonicalUser)");
                                break;
                            }
                        });
                    }
                }
                out
            }
            other => {
                self.problem(
                    path,
                    format!("must be \"*\" or an object, got {}", describe(other)),
                );
                Vec::new()
            }
        }
    }

    fn conditions(&mut self, v: &Value, path: &str, variables: bool) -> Vec<Condition> {
        let Value::Object(ops) = v else {
            self.problem(
                path,
                format!("must be an object of operators, got {}", describe(v)),
            );
            // A Condition that cannot be read must not silently vanish: keep an
            // unknown-operator condition so the statement never applies.
            return vec![Condition::new("(invalid)", "(invalid)", &[], variables)];
        };
        let mut out = Vec::new();
        for (op, keys) in ops {
            let op_path = join(path, op);
            let probe = Condition::new(op, "", &[], variables);
            if probe.operator.base.is_none() {
                self.problem(&op_path, format!("unknown condition operator {op:?}"));
            }
            let Value::Object(keys) = keys else {
                self.problem(
                    &op_path,
                    format!(
                        "must be an object of condition keys, got {}",
                        describe(keys)
                    ),
                );
                out.push(Condition::new("(invalid)", "(invalid)", &[], variables));
                continue;
            };
            if keys.is_empty() {
                self.problem(&op_path, "must name at least one condition key");
            }
            for (key, values) in keys {
                let key_path = join(&op_path, key);
                match self.strings(values, &key_path, true) {
                    Some(values) => out.push(Condition::new(op, key, &values, variables)),
                    None => out.push(Condition::new("(invalid)", key, &[], variables)),
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problems(doc: Value) -> Vec<String> {
        Policy::parse(&doc)
            .err()
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn valid_policy_parses() {
        let p = Policy::parse(&json!({
            "Version": "2012-10-17", "Id": "p1",
            "Statement": {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        }))
        .unwrap();
        assert_eq!(p.id(), Some("p1"));
        assert_eq!(p.statements().len(), 1);
        assert_eq!(p.statements()[0].sid(), Some("A"));
        assert_eq!(p.statements()[0].effect(), Some(Effect::Allow));
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let got = problems(json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Alow", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"},
                {"Action": "s3:GetObject", "Resource": "*", "NotResource": "x",
                 "Condition": {"StringEqualz": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": {"x": 1}}}},
                "oops"
            ]
        }));
        assert_eq!(
            got,
            vec![
                "Statement[1].Effect: must be \"Allow\" or \"Deny\", got \"Alow\"",
                "Statement[1]: Action and NotAction cannot be used together",
                "Statement[2].Effect: required element is missing (\"Allow\" or \"Deny\")",
                "Statement[2]: Resource and NotResource cannot be used together",
                "Statement[2].Condition.StringEqualz: unknown condition operator \"StringEqualz\"",
                "Statement[2].Condition.Bool.aws:SecureTransport: must be a string or an array of strings, got an object",
                "Statement[3]: a statement must be an object, got \"oops\"",
            ]
        );
    }

    #[test]
    fn document_level_problems() {
        assert_eq!(
            problems(json!([1])),
            vec!["$: a policy document must be a JSON object, got an array"]
        );
        assert_eq!(
            problems(json!({"Version": "2013-01-01", "Statment": []})),
            vec![
                "Statment: unknown element (expected Version, Id, Statement)",
                "Version: must be \"2012-10-17\" or \"2008-10-17\", got \"2013-01-01\"",
                "Statement: required element is missing",
            ]
        );
        let bad = Policy::parse_str("{\"Version\": ").unwrap_err();
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0].to_string().starts_with("$: invalid JSON:"),
            "{}",
            bad[0]
        );
    }

    #[test]
    fn types_are_checked() {
        assert_eq!(
            problems(
                json!({"Statement": [{"Effect": "Deny", "Action": ["s3:GetObject", 3], "Resource": [], "Principal": {"Bogus": "x"}}]})
            ),
            vec![
                "Statement[0].Action[1]: must be a string, got number 3",
                "Statement[0].Resource: must not be an empty array",
                "Statement[0].Principal.Bogus: unknown principal type (expected AWS, Service, Federated, CanonicalUser)",
            ]
        );
    }

    #[test]
    fn lenient_keeps_the_rest() {
        let (p, problems) = Policy::parse_lenient(&json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Nope": {"k": "v"}}},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
        ]}));
        assert_eq!(problems.len(), 1);
        assert_eq!(p.statements().len(), 2);
    }

    #[test]
    fn string_documents_plain_or_percent_encoded() {
        let plain = json!(
            "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}"
        );
        assert_eq!(Policy::parse(&plain).unwrap().statements().len(), 1);
        let encoded = json!(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
        );
        let p = Policy::parse(&encoded).unwrap();
        assert_eq!(p.statements()[0].effect(), Some(Effect::Deny));
        assert!(p.statements()[0].span().is_some());
        let bad = Policy::parse(&json!("not json")).unwrap_err();
        assert!(
            bad[0].to_string().starts_with("$: invalid JSON"),
            "{}",
            bad[0]
        );
    }

    #[test]
    fn text_parse_records_statement_positions() {
        let p = Policy::parse_str("{\"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}\n]}")
            .unwrap();
        let (start, end) = p.statements()[0].span().unwrap();
        assert_eq!(
            (start.line, start.column, end.line, end.column),
            (3, 3, 3, 53)
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for doc in [
            json!(null),
            json!("x"),
            json!({"Statement": null}),
            json!({"Statement": [null, [], {"Condition": []}, {"Condition": {"StringEquals": []}}]}),
            json!({"Statement": {"Principal": 5, "NotPrincipal": "*", "Action": {}, "Resource": {"a": 1}}}),
            json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "arn:${", "Condition": {"ForAnyValue:": {"": [true, 1.5, null]}}}}),
        ] {
            let _ = Policy::parse_lenient(&doc);
        }
    }
}
