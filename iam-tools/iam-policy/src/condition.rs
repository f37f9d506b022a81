//! Condition operators: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress /
//! NotIpAddress, Arn*, Null; the `...IfExists` suffix and the `ForAllValues:` /
//! `ForAnyValue:` set qualifiers.
//!
//! Semantics (IAM User Guide, "Condition operators" and "Multivalued context keys"):
//! - keys within an operator are ANDed, the values of one key are ORed;
//! - a missing key fails the condition, except for `...IfExists`, `ForAllValues:` (an
//!   empty set satisfies "for all"), and negated operators (`StringNotEquals`,
//!   `NotIpAddress`, ...), which match when the key is absent;
//! - a negated operator is the negation of its positive form over all policy values,
//!   but a context value that cannot be read as the operator's type (a malformed date,
//!   number, IP or ARN) fails the condition for negated operators too;
//! - a policy variable the request cannot resolve makes that policy value match nothing
//!   (so negated operators match, as the User Guide says for "no value" variables);
//! - `ForAllValues:Null` is always true and `ForAnyValue:Null` always false (IAM Access
//!   Analyzer's "Null with qualifier" check).

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::matching::{ArnParts, arn_condition_match, glob};
use super::request::Context;
use super::variables::{Template, Unresolved};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetQualifier {
    None,
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn test<T: PartialOrd>(self, ctx: T, policy: T) -> bool {
        match self {
            Cmp::Eq => ctx == policy,
            Cmp::Lt => ctx < policy,
            Cmp::Le => ctx <= policy,
            Cmp::Gt => ctx > policy,
            Cmp::Ge => ctx >= policy,
        }
    }
}

/// The positive form of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    BinaryEquals,
    IpAddress,
    Arn,
    Null,
}

/// A parsed condition operator name such as `ForAnyValue:StringNotLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operator {
    pub(crate) set: SetQualifier,
    /// `None` for an unknown operator: the condition never matches.
    pub(crate) base: Option<Base>,
    pub(crate) negated: bool,
    pub(crate) if_exists: bool,
}

impl Operator {
    /// Parses an operator name; `base` is `None` when the name is not an IAM operator.
    pub(crate) fn parse(name: &str) -> Operator {
        let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
            (SetQualifier::ForAllValues, r)
        } else if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
            (SetQualifier::ForAnyValue, r)
        } else {
            (SetQualifier::None, name)
        };
        let (rest, if_exists) = match rest.len().checked_sub(8) {
            Some(i) if rest.is_char_boundary(i) && rest[i..].eq_ignore_ascii_case("IfExists") => {
                (&rest[..i], true)
            }
            _ => (rest, false),
        };
        let (base, negated) = match rest.to_ascii_lowercase().as_str() {
            "stringequals" => (Base::StringEquals, false),
            "stringnotequals" => (Base::StringEquals, true),
            "stringequalsignorecase" => (Base::StringEqualsIgnoreCase, false),
            "stringnotequalsignorecase" => (Base::StringEqualsIgnoreCase, true),
            "stringlike" => (Base::StringLike, false),
            "stringnotlike" => (Base::StringLike, true),
            "numericequals" => (Base::Numeric(Cmp::Eq), false),
            "numericnotequals" => (Base::Numeric(Cmp::Eq), true),
            "numericlessthan" => (Base::Numeric(Cmp::Lt), false),
            "numericlessthanequals" => (Base::Numeric(Cmp::Le), false),
            "numericgreaterthan" => (Base::Numeric(Cmp::Gt), false),
            "numericgreaterthanequals" => (Base::Numeric(Cmp::Ge), false),
            "dateequals" => (Base::Date(Cmp::Eq), false),
            "datenotequals" => (Base::Date(Cmp::Eq), true),
            "datelessthan" => (Base::Date(Cmp::Lt), false),
            "datelessthanequals" => (Base::Date(Cmp::Le), false),
            "dategreaterthan" => (Base::Date(Cmp::Gt), false),
            "dategreaterthanequals" => (Base::Date(Cmp::Ge), false),
            "bool" => (Base::Bool, false),
            "binaryequals" => (Base::BinaryEquals, false),
            "ipaddress" => (Base::IpAddress, false),
            "notipaddress" => (Base::IpAddress, true),
            "arnequals" | "arnlike" => (Base::Arn, false),
            "arnnotequals" | "arnnotlike" => (Base::Arn, true),
            "null" if !if_exists => (Base::Null, false),
            _ => {
                return Operator {
                    set,
                    base: None,
                    negated: false,
                    if_exists,
                };
            }
        };
        Operator {
            set,
            base: Some(base),
            negated,
            if_exists,
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// A policy value parsed ahead of time when it has no variables.
#[derive(Debug, Clone, PartialEq)]
enum Pre {
    None,
    Num(Option<f64>),
    Date(Option<i128>),
    Ip(Option<IpNet>),
    Bool(Option<bool>),
}

/// One value of a condition key, as written in the policy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CondValue {
    template: Template,
    pre: Pre,
}

impl CondValue {
    pub(crate) fn raw(&self) -> &str {
        self.template.raw()
    }
}

/// One `operator: { key: values }` entry of a Condition block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub(crate) operator_name: String,
    pub(crate) operator: Operator,
    pub(crate) key: String,
    key_lower: String,
    pub(crate) values: Vec<CondValue>,
}

impl Condition {
    pub(crate) fn new(
        operator_name: &str,
        key: &str,
        raw_values: &[String],
        variables: bool,
    ) -> Condition {
        let operator = Operator::parse(operator_name);
        let values = raw_values
            .iter()
            .map(|raw| {
                let template = Template::parse(raw, variables);
                let pre = match (operator.base, template.has_variables()) {
                    (_, true) => Pre::None,
                    (Some(Base::Numeric(_)), false) => Pre::Num(parse_number(raw)),
                    (Some(Base::Date(_)), false) => Pre::Date(parse_date(raw)),
                    (Some(Base::IpAddress), false) => Pre::Ip(parse_cidr(raw)),
                    (Some(Base::Bool), false) => Pre::Bool(parse_bool(raw)),
                    _ => Pre::None,
                };
                CondValue { template, pre }
            })
            .collect();
        Condition {
            operator_name: operator_name.to_owned(),
            operator,
            key: key.to_owned(),
            key_lower: key.to_lowercase(),
            values,
        }
    }

    /// Evaluates the condition against the request context. `missing` receives every
    /// key the condition needed and the request lacked (the condition key itself, or a
    /// policy variable).
    pub(crate) fn evaluate(
        &self,
        ctx: &Context,
        missing: &mut dyn FnMut(&str),
    ) -> Result<(), ConditionFailure> {
        let op = &self.operator;
        let Some(base) = op.base else {
            return Err(ConditionFailure::UnknownOperator);
        };
        let values = ctx.get(&self.key_lower);
        if base == Base::Null {
            return match op.set {
                SetQualifier::ForAllValues => Ok(()),
                SetQualifier::ForAnyValue => Err(ConditionFailure::NullWithForAnyValue),
                SetQualifier::None => {
                    let absent = values.is_none_or(|v| v.is_empty());
                    let ok = self.values.iter().any(|v| match parse_bool(v.raw()) {
                        Some(true) => absent,
                        Some(false) => !absent,
                        None => false,
                    });
                    if ok {
                        Ok(())
                    } else if absent {
                        Err(ConditionFailure::KeyAbsent)
                    } else {
                        Err(ConditionFailure::KeyPresent)
                    }
                }
            };
        }
        let Some(values) = values else {
            if op.if_exists
                || op.set == SetQualifier::ForAllValues
                || (op.negated && op.set == SetQualifier::None)
            {
                return Ok(());
            }
            missing(&self.key);
            return Err(ConditionFailure::KeyMissing);
        };
        match op.set {
            SetQualifier::ForAllValues => {
                for v in values {
                    if !self.single(base, v, ctx, missing) {
                        return Err(ConditionFailure::SomeValueNotMatched);
                    }
                }
                Ok(())
            }
            SetQualifier::ForAnyValue => {
                for v in values {
                    if self.single(base, v, ctx, missing) {
                        return Ok(());
                    }
                }
                Err(ConditionFailure::NoValueMatched)
            }
            SetQualifier::None => match values {
                [v] => {
                    if self.single(base, v, ctx, missing) {
                        Ok(())
                    } else {
                        Err(ConditionFailure::NoValueMatched)
                    }
                }
                [] => {
                    if op.if_exists || op.negated {
                        Ok(())
                    } else {
                        Err(ConditionFailure::KeyMissing)
                    }
                }
                _ => Err(ConditionFailure::MultivaluedKey),
            },
        }
    }

    /// The operator (with its negation) applied to one context value.
    fn single(&self, base: Base, v: &str, ctx: &Context, missing: &mut dyn FnMut(&str)) -> bool {
        let Some(cv) = CtxVal::parse(base, v) else {
            return false;
        };
        let mut any_readable = false;
        for pv in &self.values {
            match compare(base, &cv, pv, ctx) {
                Ok(true) => return !self.operator.negated,
                Ok(false) => any_readable = true,
                Err(PolicyValueError::Unresolved(Unresolved(key))) => {
                    missing(&key);
                    any_readable = true;
                }
                Err(PolicyValueError::Invalid) => {}
            }
        }
        self.operator.negated && any_readable
    }
}

/// Why a condition did not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionFailure {
    /// The operator is not an IAM condition operator.
    UnknownOperator,
    /// The request has no value for the key.
    KeyMissing,
    /// `Null: "false"` but the key is absent.
    KeyAbsent,
    /// `Null: "true"` but the key is present.
    KeyPresent,
    /// No policy value matched the request's value (or the value could not be read as
    /// the operator's type).
    NoValueMatched,
    /// `ForAllValues`: at least one request value matched no policy value.
    SomeValueNotMatched,
    /// A single-valued operator met a multivalued key; use ForAnyValue / ForAllValues.
    MultivaluedKey,
    /// `ForAnyValue:Null` never holds.
    NullWithForAnyValue,
    /// Not evaluated: the request asks what is possible ([`crate::Request::assume_conditions`]),
    /// so a conditional Deny is taken not to apply.
    AssumedNotToHold,
}

impl std::fmt::Display for ConditionFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConditionFailure::UnknownOperator => "unknown condition operator",
            ConditionFailure::KeyMissing => "the request has no value for the key",
            ConditionFailure::KeyAbsent => "the key is absent (Null: false requires it)",
            ConditionFailure::KeyPresent => "the key is present (Null: true requires it absent)",
            ConditionFailure::NoValueMatched => {
                "the request value matched none of the policy values"
            }
            ConditionFailure::SomeValueNotMatched => {
                "a request value matched none of the policy values (ForAllValues)"
            }
            ConditionFailure::MultivaluedKey => "single-valued operator on a multivalued key",
            ConditionFailure::NullWithForAnyValue => "ForAnyValue:Null never matches",
            ConditionFailure::AssumedNotToHold => {
                "assumed not to hold (the question is what the conditions make possible)"
            }
        })
    }
}

/// A context value read as the operator's type.
enum CtxVal<'a> {
    Str(&'a str),
    Num(f64),
    Date(i128),
    Bool(bool),
    Ip(IpAddr),
}

impl<'a> CtxVal<'a> {
    fn parse(base: Base, v: &'a str) -> Option<CtxVal<'a>> {
        Some(match base {
            Base::StringEquals
            | Base::StringEqualsIgnoreCase
            | Base::StringLike
            | Base::BinaryEquals
            | Base::Null => CtxVal::Str(v),
            Base::Arn => {
                ArnParts::parse(v)?;
                CtxVal::Str(v)
            }
            Base::Numeric(_) => CtxVal::Num(parse_number(v)?),
            Base::Date(_) => CtxVal::Date(parse_date(v)?),
            Base::Bool => CtxVal::Bool(parse_bool(v)?),
            Base::IpAddress => CtxVal::Ip(v.parse().ok()?),
        })
    }
}

enum PolicyValueError {
    Unresolved(Unresolved),
    Invalid,
}

impl From<Unresolved> for PolicyValueError {
    fn from(u: Unresolved) -> Self {
        PolicyValueError::Unresolved(u)
    }
}

/// Positive comparison of one policy value with one (readable) context value.
fn compare(
    base: Base,
    cv: &CtxVal<'_>,
    pv: &CondValue,
    ctx: &Context,
) -> Result<bool, PolicyValueError> {
    match (base, cv) {
        (Base::StringEquals | Base::BinaryEquals, CtxVal::Str(v)) => {
            Ok(pv.template.text(ctx)? == *v)
        }
        (Base::StringEqualsIgnoreCase, CtxVal::Str(v)) => {
            Ok(eq_ignore_case(&pv.template.text(ctx)?, v))
        }
        (Base::StringLike, CtxVal::Str(v)) => Ok(glob(&pv.template.tokens(ctx)?, v)),
        (Base::Arn, CtxVal::Str(v)) => {
            arn_condition_match(&pv.template.tokens(ctx)?, v).ok_or(PolicyValueError::Invalid)
        }
        (Base::Numeric(cmp), CtxVal::Num(n)) => {
            let p = match pv.pre {
                Pre::Num(p) => p,
                _ => parse_number(&pv.template.text(ctx)?),
            };
            p.map(|p| cmp.test(*n, p)).ok_or(PolicyValueError::Invalid)
        }
        (Base::Date(cmp), CtxVal::Date(d)) => {
            let p = match pv.pre {
                Pre::Date(p) => p,
                _ => parse_date(&pv.template.text(ctx)?),
            };
            p.map(|p| cmp.test(*d, p)).ok_or(PolicyValueError::Invalid)
        }
        (Base::Bool, CtxVal::Bool(b)) => {
            let p = match pv.pre {
                Pre::Bool(p) => p,
                _ => parse_bool(&pv.template.text(ctx)?),
            };
            p.map(|p| p == *b).ok_or(PolicyValueError::Invalid)
        }
        (Base::IpAddress, CtxVal::Ip(ip)) => {
            let p = match &pv.pre {
                Pre::Ip(p) => *p,
                _ => parse_cidr(&pv.template.text(ctx)?),
            };
            p.map(|net| net.contains(ip))
                .ok_or(PolicyValueError::Invalid)
        }
        _ => Err(PolicyValueError::Invalid),
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Numbers: integers or decimals (`10`, `10.0`, `-2.5`); not NaN or infinities.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Booleans: `true` / `false`, case-insensitive.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An address or CIDR block; a bare address is a /32 (IPv4) or /128 (IPv6) block.
pub(crate) fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Dates: ISO 8601 (date, date-time with or without offset, UTC when none) or epoch
/// seconds (`1533859200`, `1533859200.5`). Returns nanoseconds since the epoch.
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.bytes().any(|b| b.is_ascii_digit())
        && !s[1..].contains('-')
    {
        let secs: f64 = s.parse().ok()?;
        let nanos = secs * 1e9;
        // Beyond year 9999 is not a date IAM accepts.
        return (nanos.is_finite() && nanos.abs() < 253_402_300_800e9).then_some(nanos as i128);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = Date::parse(s, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    None
}
