//! The Condition element: operators, keys (against the catalog), key types and values.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::elements::{REGIONS, Statement, is_region};
use super::{FindingType, Path, PolicyKind, Validator, closest, find_variable, json_type, suggest};
use crate::catalog::pattern::has_wildcard;
use crate::catalog::{BaseType, KeyType, catalog};
use crate::condition::{
    Base, Operator, SetQualifier, parse_bool, parse_cidr, parse_date, parse_number,
};

const OPERATORS: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// The operator family a key type takes, as AWS names it.
fn family(ty: KeyType) -> &'static str {
    match ty.base {
        BaseType::String => "String",
        BaseType::Arn => "Arn",
        BaseType::Bool => "Bool",
        BaseType::Numeric => "Numeric",
        BaseType::Date => "Date",
        BaseType::IpAddress => "IpAddress",
        BaseType::Binary => "Binary",
    }
}

/// True if an operator of `base` reads values of a key of type `ty`.
fn fits(base: Base, ty: KeyType, key: &str) -> bool {
    match (base, ty.base) {
        (Base::Null, _) => true,
        (
            Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike,
            BaseType::String | BaseType::Arn,
        ) => true,
        (Base::Arn, BaseType::Arn) => true,
        (Base::Numeric(_), BaseType::Numeric) => true,
        // aws:EpochTime is documented as Date and Numeric.
        (Base::Numeric(_), BaseType::Date) => key.eq_ignore_ascii_case("aws:EpochTime"),
        (Base::Date(_), BaseType::Date) => true,
        (Base::Bool, BaseType::Bool) => true,
        (Base::IpAddress, BaseType::IpAddress) => true,
        (Base::BinaryEquals, BaseType::Binary) => true,
        _ => false,
    }
}

const TAG_KEYS: [&str; 3] = ["aws:RequestTag", "aws:ResourceTag", "aws:PrincipalTag"];

impl Validator {
    pub(crate) fn conditions(&mut self, st: &Statement<'_>) {
        let Some(condition) = st.elements.condition else {
            return;
        };
        let path = st.path.key("Condition");
        let Value::Object(ops) = condition else {
            self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                path,
                format!("Condition is an object of operators ({{\"StringEquals\": {{\"aws:PrincipalTag/team\": \"web\"}}}}), not {}.", json_type(condition)),
            );
            return;
        };
        if ops.is_empty() {
            self.push(
                "EMPTY_OBJECT_CONDITION",
                FindingType::Suggestion,
                path,
                "The Condition block is empty: remove it or add conditions.",
            );
            return;
        }
        if self.kind == PolicyKind::Rcp && st.allow {
            self.push(
                "RCP_SYNTAX_ERROR_ALLOW",
                FindingType::Error,
                path,
                "An Allow statement of a resource control policy takes Principal \"*\", Resource \"*\" and no Condition: put conditions in Deny statements.",
            );
        }
        for (name, block) in ops {
            self.operator(st, &path.key(name), name, block);
        }
        self.key_pairs(st, &path, ops);
    }

    fn operator(&mut self, st: &Statement<'_>, path: &Path<'_>, name: &str, block: &Value) {
        let op = Operator::parse(name);
        let Some(base) = op.base else {
            let stem = name.trim_end_matches("IfExists");
            if stem
                .rsplit(':')
                .next()
                .is_some_and(|s| s.eq_ignore_ascii_case("Null"))
                && name.ends_with("IfExists")
            {
                self.push(
                    "NULL_WITH_IF_EXISTS",
                    FindingType::Error,
                    path,
                    "The Null operator cannot take the IfExists suffix: write Null (it already tests whether the key exists).",
                );
            } else {
                let bare = name
                    .rsplit(':')
                    .next()
                    .unwrap_or(name)
                    .trim_end_matches("IfExists");
                let hint = suggest(bare, OPERATORS.into_iter());
                self.push(
                    "INVALID_CONDITION_OPERATOR",
                    FindingType::Error,
                    path,
                    format!("The condition operator {name:?} is not valid{hint}: see the IAM condition operators (StringEquals, ArnLike, IpAddress...), optionally with ForAllValues:/ForAnyValue: and IfExists."),
                );
            }
            return;
        };
        if base == Base::Null && op.set != SetQualifier::None {
            self.push(
                "NULL_WITH_QUALIFIER",
                FindingType::Suggestion,
                path,
                "ForAllValues:Null is always true and ForAnyValue:Null always false: use Null without the qualifier.",
            );
        }
        let Value::Object(keys) = block else {
            self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                path,
                format!(
                    "{name} takes an object of condition keys and values, not {}.",
                    json_type(block)
                ),
            );
            return;
        };
        for (n, (key, values)) in keys.iter().enumerate() {
            let kpath = path.key(key);
            if let Some(first) = keys.keys().take(n).find(|k| k.eq_ignore_ascii_case(key)) {
                self.push(
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    FindingType::Error,
                    kpath,
                    format!("{key} repeats {first} with other capitalization in the same {name} block: merge their values under one spelling."),
                );
            }
            let ty = self.condition_key(&kpath, key);
            self.values(st, &kpath, name, &op, base, key, ty, values);
        }
    }

    /// Checks a condition key against the catalog; returns its type when known.
    fn condition_key(&mut self, path: &Path<'_>, key: &str) -> Option<KeyType> {
        let Some((prefix, rest)) = key.split_once(':') else {
            self.push(
                "INVALID_CONDITION_KEY_FORMAT",
                FindingType::Error,
                path,
                format!("{key:?} is not a condition key: write service:KeyName (aws:SourceIp, s3:prefix)."),
            );
            return None;
        };
        if prefix.is_empty() || rest.is_empty() {
            self.push(
                "INVALID_CONDITION_KEY_FORMAT",
                FindingType::Error,
                path,
                format!("{key:?} is not a condition key: write service:KeyName (aws:SourceIp, s3:prefix)."),
            );
            return None;
        }
        let c = catalog();
        if key.eq_ignore_ascii_case("aws:ARN") {
            self.push(
                "UNSUPPORTED_GLOBAL_CONDITION_KEY",
                FindingType::Error,
                path,
                "The condition key aws:ARN is not supported: use aws:PrincipalArn (the caller) or aws:SourceArn (the resource a service acts for).",
            );
            return None;
        }
        if let Some(tag) = TAG_KEYS
            .iter()
            .find(|t| t.eq_ignore_ascii_case(key.trim_end_matches('/')))
        {
            self.push(
                "MISSING_TAG_KEY_IN_CONDITION",
                FindingType::Error,
                path,
                format!("{key} needs a tag key: write {tag}/TAG-KEY (e.g. {tag}/team)."),
            );
            return None;
        }
        if let Some(ty) = c.key_type(key) {
            return Some(ty);
        }
        if prefix.eq_ignore_ascii_case("aws") {
            let hint = suggest(key, c.global_keys().iter().map(|k| k.name));
            self.push(
                "INVALID_GLOBAL_CONDITION_KEY",
                FindingType::Error,
                path,
                format!("The global condition key {key} does not exist{hint}: see the AWS global condition context keys."),
            );
            return None;
        }
        let Some(service) = c.service(prefix) else {
            let hint = suggest(prefix, c.services().iter().map(|s| s.prefix));
            self.push(
                "INVALID_SERVICE",
                FindingType::Error,
                path,
                format!("The service {prefix:?} of the condition key {key} does not exist{hint}."),
            );
            return None;
        };
        let lower = key.to_ascii_lowercase();
        if let Some(template) = service.keys().iter().find(|k| {
            k.name
                .to_ascii_lowercase()
                .starts_with(&format!("{lower}/"))
        }) {
            self.push(
                "MISSING_TAG_KEY_IN_CONDITION",
                FindingType::Error,
                path,
                format!("{key} needs a key name after it: {}.", template.name),
            );
            return None;
        }
        let hint = closest(key, service.keys().iter().map(|k| k.name))
            .map(|k| format!(" (did you mean {k:?}?)"))
            .unwrap_or_default();
        self.push(
            "INVALID_SERVICE_CONDITION_KEY",
            FindingType::Error,
            path,
            format!("The condition key {key} does not exist in the service {}{hint}: use a key the service documents.", service.prefix),
        );
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn values(
        &mut self,
        st: &Statement<'_>,
        path: &Path<'_>,
        name: &str,
        op: &Operator,
        base: Base,
        key: &str,
        ty: Option<KeyType>,
        values: &Value,
    ) {
        let list: &[Value] = match values {
            Value::Array(list) => list,
            Value::Object(_) | Value::Null => {
                self.push(
                    "DATA_TYPE_MISMATCH",
                    FindingType::Error,
                    path,
                    format!("A condition value is a string, number or boolean (or a list of them), not {}.", json_type(values)),
                );
                return;
            }
            one => std::slice::from_ref(one),
        };
        if list.is_empty() {
            let (code, message) = match (op.set, op.if_exists) {
                (SetQualifier::ForAllValues, _) => (
                    "EMPTY_ARRAY_CONDITION_FORALLVALUES",
                    format!(
                        "ForAllValues with no values matches only when {key} is absent: write Null {{\"{key}\": \"true\"}} instead."
                    ),
                ),
                (SetQualifier::ForAnyValue, _) => (
                    "EMPTY_ARRAY_CONDITION_FORANYVALUE",
                    format!(
                        "ForAnyValue with no values never matches {key}: give values or remove the key."
                    ),
                ),
                (_, true) => (
                    "EMPTY_ARRAY_CONDITION_IFEXISTS",
                    format!(
                        "IfExists with no values matches only when {key} is absent: write Null {{\"{key}\": \"true\"}} instead."
                    ),
                ),
                _ => (
                    "EMPTY_ARRAY_CONDITION",
                    format!(
                        "{key} has no values, so the condition does nothing: give values or remove it."
                    ),
                ),
            };
            self.push(code, FindingType::Suggestion, path, message);
            return;
        }
        if list.iter().any(|v| json_type(v) != json_type(&list[0])) {
            let mut kinds: Vec<&str> = list.iter().map(json_type).collect();
            kinds.dedup();
            self.push(
                "INVALID_CONDITION_DATA_TYPE",
                FindingType::Error,
                path,
                format!(
                    "The values of {key} mix JSON types ({}): write them all as strings.",
                    kinds.join(", ")
                ),
            );
        }
        let texts: Vec<Cow<'_, str>> = list
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                Value::Number(n) => Some(Cow::Owned(n.to_string())),
                Value::Bool(b) => Some(Cow::Owned(b.to_string())),
                _ => None,
            })
            .collect();
        if list
            .iter()
            .any(|v| v.is_array() || v.is_object() || v.is_null())
        {
            self.push(
                "DATA_TYPE_MISMATCH",
                FindingType::Error,
                path,
                "Each condition value is a string, number or boolean.",
            );
            return;
        }
        if let Some(ty) = ty {
            if !fits(base, ty, key) {
                let allowed = family(ty);
                self.push(
                    "TYPE_MISMATCH",
                    FindingType::Warning,
                    path,
                    format!("{key} is of type {}: use a {allowed} operator ({allowed}Equals, ...) instead of {name}; the condition never matches as written.", ty.name()),
                );
            } else if ty.base == BaseType::Arn && base == Base::StringLike {
                self.push(
                    "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
                    FindingType::SecurityWarning,
                    path,
                    format!("{key} is an ARN: use ArnLike instead of {name}, which also matches across ARN fields."),
                );
            }
            if base != Base::Null {
                match op.set {
                    // A warning, not Access Analyzer's error: IAM accepts it, and AWS's own
                    // managed policies do it (events:detail-type with StringEquals).
                    SetQualifier::None if ty.multivalued => self.push(
                        "MISSING_QUALIFIER",
                        FindingType::Warning,
                        path,
                        format!("{key} can have several values in a request: prefix the operator with ForAllValues: (every value must match) or ForAnyValue: (one must)."),
                    ),
                    SetQualifier::ForAllValues if !ty.multivalued => self.push(
                        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                        FindingType::SecurityWarning,
                        path,
                        format!("ForAllValues with the single-valued key {key} also matches when the key is absent: remove ForAllValues:."),
                    ),
                    _ => {}
                }
            }
        }
        let string_like = matches!(
            base,
            Base::StringEquals | Base::StringEqualsIgnoreCase | Base::StringLike | Base::Arn
        );
        for text in &texts {
            if find_variable(text).is_some() {
                if string_like {
                    self.variables(path, text);
                } else {
                    self.push(
                        "INVALID_VARIABLE_FOR_OPERATOR",
                        FindingType::Error,
                        path,
                        format!("Policy variables work only with String and Arn operators, not {name}: write a literal value."),
                    );
                }
            }
        }
        match base {
            Base::Bool | Base::Null => {
                for text in &texts {
                    if parse_bool(text).is_none() {
                        self.push(
                            "TYPE_MISMATCH_BOOLEAN",
                            FindingType::Warning,
                            path,
                            format!("{name} takes \"true\" or \"false\", not {text:?}."),
                        );
                    }
                }
                if base == Base::Bool && texts.len() > 1 {
                    self.push(
                        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
                        FindingType::Error,
                        path,
                        format!("{key} takes a single Boolean value: write \"true\" or \"false\", not a list."),
                    );
                }
            }
            Base::Numeric(cmp) => {
                for text in &texts {
                    if parse_number(text).is_none() {
                        self.push(
                            "TYPE_MISMATCH_NUMBER",
                            FindingType::Warning,
                            path,
                            format!(
                                "{name} takes a number, not {text:?}: the condition never matches."
                            ),
                        );
                    }
                }
                if !matches!(cmp, crate::condition::Cmp::Eq) && texts.len() > 1 && !op.negated {
                    self.push(
                        "REDUNDANT_CONDITION_VALUE_NUM",
                        FindingType::Suggestion,
                        path,
                        format!("Several values in {name} are redundant: keep the single bound that matters for {key}."),
                    );
                }
            }
            Base::Date(_) => {
                for text in &texts {
                    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                        self.push(
                            "INVALID_DATE_VALUE",
                            FindingType::Warning,
                            path,
                            format!("The date {text:?} (epoch seconds) might not resolve as expected: write it as ISO 8601 (2026-01-31T00:00:00Z)."),
                        );
                    } else if parse_date(text).is_none() {
                        self.push(
                            "TYPE_MISMATCH_DATE",
                            FindingType::Warning,
                            path,
                            format!("{name} takes a date (2026-01-31 or 2026-01-31T12:00:00Z), not {text:?}: the condition never matches."),
                        );
                    }
                }
            }
            Base::IpAddress => self.ip_values(path, name, key, op, &texts),
            Base::BinaryEquals => {
                for text in &texts {
                    let b64 = text.len() % 4 == 0
                        && text
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
                    if !b64 {
                        self.push(
                            "TYPE_MISMATCH_STRING",
                            FindingType::Warning,
                            path,
                            format!("BinaryEquals takes a base64-encoded value, not {text:?}."),
                        );
                    }
                }
            }
            Base::StringEquals | Base::StringEqualsIgnoreCase | Base::Arn => {
                let exact = !name.to_ascii_lowercase().contains("like");
                if exact
                    && texts.iter().any(|t| {
                        has_wildcard(t)
                            && (find_variable(t).is_none()
                                || t.replace("${*}", "")
                                    .replace("${?}", "")
                                    .contains(['*', '?']))
                    })
                {
                    let like = if base == Base::Arn {
                        "ArnLike"
                    } else {
                        "StringLike"
                    };
                    self.push(
                        "WILDCARD_WITHOUT_LIKE_OPERATOR",
                        FindingType::Warning,
                        path,
                        format!("A value of {key} has * or ?, which {name} compares literally: if you meant a wildcard, use {like}."),
                    );
                }
                self.string_values(st, path, name, op, key, &texts);
            }
            Base::StringLike => self.string_values(st, path, name, op, key, &texts),
        }
    }

    fn string_values(
        &mut self,
        st: &Statement<'_>,
        path: &Path<'_>,
        name: &str,
        op: &Operator,
        key: &str,
        texts: &[Cow<'_, str>],
    ) {
        let literal = |t: &str| !has_wildcard(t) && find_variable(t).is_none();
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("aws:SourceVpc") {
            for t in texts.iter().filter(|t| literal(t)) {
                if !id_format(t, "vpc-") {
                    self.push(
                        "INVALID_VPC_FORMAT",
                        FindingType::Error,
                        path,
                        format!("{t:?} is not a VPC ID: write vpc- followed by 8 or 17 characters (vpc-1a2b3c4d)."),
                    );
                }
            }
        } else if is("aws:SourceVpce") {
            for t in texts.iter().filter(|t| literal(t)) {
                if !id_format(t, "vpce-") {
                    self.push(
                        "INVALID_VPCE_FORMAT",
                        FindingType::Error,
                        path,
                        format!("{t:?} is not a VPC endpoint ID: write vpce- followed by 8 or 17 characters."),
                    );
                }
            }
        } else if is("aws:RequestedRegion") {
            for t in texts.iter().filter(|t| literal(t)) {
                if is_region(t) && !REGIONS.contains(&t.as_ref()) {
                    let hint = suggest(t, REGIONS.iter().copied());
                    self.push(
                        "INVALID_REGION",
                        FindingType::Warning,
                        path,
                        format!("{t:?} is not an AWS Region this server knows{hint} (a Region newer than this server is fine)."),
                    );
                } else if !is_region(t) {
                    self.push(
                        "INVALID_REGION",
                        FindingType::Error,
                        path,
                        format!("{t:?} is not a Region code: write us-east-1, eu-west-3..."),
                    );
                }
            }
        } else if is("token.actions.githubusercontent.com:sub")
            && texts.iter().any(|t| t.contains('*'))
            && !st.has_condition_key("token.actions.githubusercontent.com:ref")
        {
            self.push(
                "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
                FindingType::Warning,
                path,
                "A wildcard in token.actions.githubusercontent.com:sub lets more workflows assume the role than you may intend: name the repository and branch (repo:ORG/REPO:ref:refs/heads/main), or pin the branch with token.actions.githubusercontent.com:ref.",
            );
        } else if is("s3:prefix") && ((st.deny && !op.negated) || (st.allow && op.negated)) {
            self.push(
                "S3_PREFIX_IN_NEGATIVE_CONTEXT",
                FindingType::SecurityWarning,
                path,
                format!("s3:prefix with {name} in a{} statement does not stop listing: a request with a shorter prefix does not match. Use StringLike in an Allow statement, or StringNotLike in a Deny.", if st.deny { " Deny" } else { "n Allow" }),
            );
        }
    }

    fn ip_values(
        &mut self,
        path: &Path<'_>,
        name: &str,
        key: &str,
        op: &Operator,
        texts: &[Cow<'_, str>],
    ) {
        let mut private = 0;
        let mut parsed = 0;
        for text in texts {
            let Some(net) = parse_cidr(text) else {
                self.push(
                    "TYPE_MISMATCH_IP_RANGE",
                    FindingType::Error,
                    path,
                    format!(
                        "{name} takes an IP address or CIDR range (203.0.113.0/24), not {text:?}."
                    ),
                );
                continue;
            };
            parsed += 1;
            if net.addr() != net.network() {
                self.push(
                    "IMPROVE_IP_RANGE",
                    FindingType::Suggestion,
                    path,
                    format!(
                        "The bits of {text} after the /{} mask are ignored: write {}/{}.",
                        net.prefix_len(),
                        net.network(),
                        net.prefix_len()
                    ),
                );
            }
            if is_private(&net) {
                private += 1;
            }
        }
        if !key.eq_ignore_ascii_case("aws:SourceIp") || private == 0 {
            return;
        }
        let (all, some) = if op.negated {
            ("PRIVATE_NOT_IP_ADDRESS", "PRIVATE_NOT_IP_ADDRESS_SUBSET")
        } else {
            ("PRIVATE_IP_ADDRESS", "PRIVATE_IP_ADDRESS_SUBSET")
        };
        if private == parsed {
            self.push(
                all,
                FindingType::Error,
                path,
                "aws:SourceIp sees only public addresses, and these are all private, so the condition does not do what it says: use aws:VpcSourceIp for addresses inside a VPC.",
            );
        } else {
            self.push(
                some,
                FindingType::Suggestion,
                path,
                "aws:SourceIp sees only public addresses; the private ranges here have no effect: move them to aws:VpcSourceIp.",
            );
        }
    }

    /// Checks that need several keys of one Condition block.
    fn key_pairs(&mut self, st: &Statement<'_>, path: &Path<'_>, ops: &Map<String, Value>) {
        if st.has_condition_key("aws:VpcSourceIp") && !st.has_condition_key("aws:SourceVpc") {
            self.push(
                "MISSING_PAIRED_CONDITION_KEYS",
                FindingType::SecurityWarning,
                path,
                "aws:VpcSourceIp matches the address in any VPC: pair it with aws:SourceVpc in the same condition block.",
            );
        }
        if st.has_condition_key("dynamodb:Attributes") {
            let select = ops.iter().any(|(op, keys)| {
                op.eq_ignore_ascii_case("StringEquals")
                    && keys.as_object().is_some_and(|k| {
                        k.iter().any(|(key, v)| {
                            key.eq_ignore_ascii_case("dynamodb:Select")
                                && (v == "SPECIFIC_ATTRIBUTES"
                                    || v.as_array().is_some_and(|a| {
                                        a.len() == 1 && a[0] == "SPECIFIC_ATTRIBUTES"
                                    }))
                        })
                    })
            });
            if !select {
                self.push(
                    "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT",
                    FindingType::SecurityWarning,
                    path,
                    "Restricting dynamodb:Attributes without dynamodb:Select = SPECIFIC_ATTRIBUTES lets reads without a projection return every attribute: add StringEquals {\"dynamodb:Select\": \"SPECIFIC_ATTRIBUTES\"}.",
                );
            }
        }
        self.tag_keys_of_actions(st, path);
        self.keys_of_actions(st, path);
    }

    /// Tag condition keys on services whose actions do not support them.
    fn tag_keys_of_actions(&mut self, st: &Statement<'_>, path: &Path<'_>) {
        if !st.allow && !st.deny {
            return;
        }
        let c = catalog();
        let starts = |key: &str, prefix: &str| {
            key.as_bytes()
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
        };
        for key in &st.condition_keys {
            if !(starts(key, "aws:ResourceTag/")
                || starts(key, "aws:RequestTag/")
                || key.eq_ignore_ascii_case("aws:TagKeys"))
            {
                continue;
            }
            if st.not_action {
                let (code, ty, message) = if st.allow {
                    (
                        "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                        FindingType::Suggestion,
                        format!(
                            "Allow with NotAction and {key} allows only the actions that support {key}: list the actions in Action instead."
                        ),
                    )
                } else {
                    (
                        "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                        FindingType::SecurityWarning,
                        format!(
                            "Deny with NotAction and {key} does not deny the actions that do not support {key}: list the actions in Action instead."
                        ),
                    )
                };
                self.push(code, ty, path, message);
                continue;
            }
            let mut services: Vec<&str> = Vec::new();
            for ((_, action), covered) in st.actions.iter().zip(st.expansions()) {
                if *action == "*" {
                    continue;
                }
                let mut by_service: Vec<(u32, bool)> = Vec::new();
                for a in covered {
                    let ok = a.supports_key(key);
                    match by_service.iter_mut().find(|(s, _)| *s == a.service_id()) {
                        Some(entry) => entry.1 |= ok,
                        None => by_service.push((a.service_id(), ok)),
                    }
                }
                for (s, ok) in by_service {
                    let prefix = c.services()[s as usize].prefix;
                    if !ok && !services.contains(&prefix) {
                        services.push(prefix);
                    }
                }
            }
            if services.is_empty() {
                continue;
            }
            let (code, ty, verb) = if st.allow {
                (
                    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    FindingType::Suggestion,
                    "are not allowed",
                )
            } else {
                (
                    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
                    FindingType::SecurityWarning,
                    "are not denied",
                )
            };
            self.push(
                code,
                ty,
                path,
                format!("The actions of {} do not support {key}, so they {verb} by this statement: move them to a statement without this key.", services.join(", ")),
            );
        }
    }

    /// Service condition keys that the statement's (named) actions of that service do not
    /// document: the condition is not evaluated for them.
    fn keys_of_actions(&mut self, st: &Statement<'_>, path: &Path<'_>) {
        if st.not_action {
            return;
        }
        let c = catalog();
        for key in &st.condition_keys {
            let Some((prefix, _)) = key.split_once(':') else {
                continue;
            };
            if prefix.eq_ignore_ascii_case("aws") {
                continue;
            }
            // An entry without wildcards expands to its action, if the catalog has it.
            let unsupported: Vec<String> = st
                .actions
                .iter()
                .zip(st.expansions())
                .filter(|((_, a), _)| !has_wildcard(a))
                .filter_map(|(_, covered)| covered.first())
                .filter(|a| a.service().prefix.eq_ignore_ascii_case(prefix) && !a.supports_key(key))
                .map(|a| a.full_name())
                .collect();
            // Only for a key the service documents (the search of its keys last: most
            // statements' actions support their keys).
            if !unsupported.is_empty() && c.service(prefix).and_then(|s| s.key(key)).is_some() {
                self.push(
                    "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
                    FindingType::Warning,
                    path,
                    format!("{} do not support the condition key {key}, so the condition is not evaluated for them: move them to a statement without this key.", unsupported.join(", ")),
                );
            }
        }
    }
}

fn id_format(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|rest| {
        (rest.len() == 8 || rest.len() == 17) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// RFC 1918, loopback, link-local, carrier-grade NAT and IPv6 unique-local ranges.
fn is_private(net: &ipnet::IpNet) -> bool {
    match net {
        ipnet::IpNet::V4(n) => {
            let a = n.network();
            let inside = |base: [u8; 4], len: u8| {
                ipnet::Ipv4Net::new(base.into(), len)
                    .is_ok_and(|p| p.contains(&a) && n.prefix_len() >= len)
            };
            inside([10, 0, 0, 0], 8)
                || inside([172, 16, 0, 0], 12)
                || inside([192, 168, 0, 0], 16)
                || inside([127, 0, 0, 0], 8)
                || inside([169, 254, 0, 0], 16)
                || inside([100, 64, 0, 0], 10)
        }
        ipnet::IpNet::V6(n) => {
            let first = n.network().segments()[0];
            n.prefix_len() >= 7 && (first & 0xfe00) == 0xfc00 || n.network().is_loopback()
        }
    }
}
