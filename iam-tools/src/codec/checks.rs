//! A call's arguments read one by one, and the manifest's param constraints (length,
//! pattern, enum, range) checked at call time. JSON Schema states them to the client; these
//! make them hold whatever the client sends. Every problem of a call is reported at once:
//! each argument is read on its own, so a wrong type in one does not hide the others.

use crate::catalog::JsonObject;
use regex::Regex;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::OnceLock;

/// Implemented by every generated params struct.
pub trait ReadArgs: Sized {
    /// Reads each argument on its own (its type, then its constraints) and every argument
    /// the tool does not take, recording each problem in `violations`; the params when all
    /// arguments could be read (they may still break a constraint: see `violations`).
    fn read_args(args: &JsonObject, violations: &mut Violations) -> Option<Self>;
}

/// What a param takes, as a wrong argument's message says it.
#[derive(Clone, Copy, Debug)]
pub enum ArgType {
    String,
    Integer,
    Boolean,
    StringList,
    Document,
    DocumentList,
    DocumentLevels,
    /// A list of the named shape's objects.
    ShapeList(&'static str),
}

impl ArgType {
    fn expected(self) -> String {
        match self {
            ArgType::String => "a string".into(),
            ArgType::Integer => "an integer".into(),
            ArgType::Boolean => "true or false".into(),
            ArgType::StringList => "a list of strings".into(),
            ArgType::Document => {
                "a policy document (a JSON object, or a string holding one)".into()
            }
            ArgType::DocumentList => "a list of policy documents".into(),
            ArgType::DocumentLevels => "a list of lists of policy documents".into(),
            ArgType::ShapeList(shape) => format!("a list of {shape} objects"),
        }
    }

    /// Whether `value` is of the JSON type this takes (its items may still be wrong).
    fn fits(self, value: &Value) -> bool {
        match self {
            ArgType::String => value.is_string(),
            ArgType::Integer => value.is_i64(),
            ArgType::Boolean => value.is_boolean(),
            ArgType::Document => value.is_object() || value.is_string(),
            _ => value.is_array(),
        }
    }
}

/// A value as a message quotes it: scalars as they are (strings shortened), lists and
/// objects by kind.
fn quoted(value: &Value) -> String {
    match value {
        Value::String(s) => shown(s),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

/// Every constraint a call's arguments broke, each naming the param.
#[derive(Debug, Default)]
pub struct Violations(pub Vec<String>);

/// A manifest pattern, compiled on first use.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        let compiled = self
            .compiled
            .get_or_init(|| Regex::new(&format!("^(?:{})$", self.source)).ok());
        // A pattern the regex engine cannot compile constrains nothing here; AWS still checks.
        compiled.as_ref().is_none_or(|re| re.is_match(value))
    }
}

/// An argument name as messages show it: control characters escaped (`\0`), shortened.
fn shown_name(name: &str) -> String {
    let mut shown = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == 64 {
            shown.push('…');
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    shown
}

fn shown(value: &str) -> String {
    let mut shown: String = value.chars().take(80).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

impl Violations {
    /// Every argument of `args` that is none of `names`, with the closest name if one is
    /// near.
    pub fn unknown(&mut self, tool: &str, args: &JsonObject, names: &[&str]) {
        for key in args.keys().filter(|k| !names.contains(&k.as_str())) {
            let near = names
                .iter()
                .map(|n| (strsim::damerau_levenshtein(&key.to_lowercase(), n), n))
                .filter(|(d, n)| *d <= 2.max(n.len() / 4))
                .min_by_key(|(d, _)| *d)
                .map_or_else(String::new, |(_, n)| format!(" (did you mean `{n}`?)"));
            let takes = if names.is_empty() {
                format!("{tool} takes no arguments")
            } else {
                format!("{tool} takes {}", names.join(", "))
            };
            self.0.push(format!(
                "`{}` is not an argument of {tool}{near}; {takes}",
                shown_name(key)
            ));
        }
    }

    /// Argument `name` read as `T` (an `Option` when it is optional): None, and the
    /// problem recorded, when it is required and missing or is not of its type.
    pub fn arg<T: DeserializeOwned>(
        &mut self,
        args: &JsonObject,
        name: &str,
        ty: ArgType,
        required: bool,
    ) -> Option<T> {
        let value = match args.get(name) {
            Some(value) => value,
            None if required => {
                self.0.push(format!(
                    "`{name}` is missing: it is required ({})",
                    ty.expected()
                ));
                return None;
            }
            None => &Value::Null,
        };
        match T::deserialize(value) {
            Ok(read) => Some(read),
            Err(e) => {
                let problem = if ty.fits(value) {
                    format!("`{name}` must be {}: {e}", ty.expected())
                } else {
                    format!("`{name}` must be {}, got {}", ty.expected(), quoted(value))
                };
                self.0.push(problem);
                None
            }
        }
    }

    pub fn length(&mut self, param: &str, value: Option<&str>, min: u64, max: u64) {
        if let Some(value) = value {
            let len = value.chars().count() as u64;
            if len < min || len > max {
                let range = if max == u64::MAX {
                    format!("at least {min}")
                } else {
                    format!("{min} to {max}")
                };
                self.0.push(format!(
                    "`{param}` must be {range} characters long, got {len}"
                ));
            }
        }
    }

    /// A list's number of items (`min_length`/`max_length` on a list param).
    pub fn items(&mut self, param: &str, count: Option<usize>, min: u64, max: u64) {
        if let Some(count) = count {
            let count = count as u64;
            if count < min || count > max {
                let (range, last) = if max == u64::MAX {
                    (format!("at least {min}"), min)
                } else if min == 0 {
                    (format!("at most {max}"), max)
                } else {
                    (format!("{min} to {max}"), max)
                };
                let items = if last == 1 { "item" } else { "items" };
                self.0
                    .push(format!("`{param}` must have {range} {items}, got {count}"));
            }
        }
    }

    pub fn pattern(&mut self, param: &str, value: Option<&str>, pattern: &Pattern) {
        if let Some(value) = value
            && !pattern.is_match(value)
        {
            self.0.push(format!(
                "`{param}` is {}, which does not match the pattern {}",
                shown(value),
                pattern.source
            ));
        }
    }

    pub fn one_of(&mut self, param: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(value) = value
            && !allowed.contains(&value)
        {
            self.0.push(format!(
                "`{param}` is {}, expected one of: {}",
                shown(value),
                allowed.join(", ")
            ));
        }
    }

    pub fn range(&mut self, param: &str, value: Option<i64>, min: i64, max: i64) {
        if let Some(value) = value
            && (value < min || value > max)
        {
            self.0
                .push(format!("`{param}` is {value}, expected {min} to {max}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_argument_is_shown_escaped_with_the_closest_param() {
        let args: JsonObject = serde_json::from_value(serde_json::json!({
            "user_name\u{0}": "a", "UserName": "b", "zzz": 1, "user_name": "c"
        }))
        .unwrap();
        let mut v = Violations::default();
        v.unknown("get_user", &args, &["user_name"]);
        assert_eq!(
            v.0,
            [
                "`user_name\\0` is not an argument of get_user (did you mean `user_name`?); get_user takes user_name",
                "`UserName` is not an argument of get_user (did you mean `user_name`?); get_user takes user_name",
                "`zzz` is not an argument of get_user; get_user takes user_name",
            ]
        );
    }

    #[test]
    fn each_violation_names_the_param() {
        static NAME: Pattern = Pattern::new(r"[\w+=,.@-]+");
        let mut v = Violations::default();
        v.length("user_name", Some(""), 1, 64);
        v.pattern("user_name", Some("bad name"), &NAME);
        v.pattern("user_name", Some("good.name"), &NAME);
        v.one_of("scope", Some("Everything"), &["All", "AWS", "Local"]);
        v.range("max_items", Some(0), 1, 1000);
        v.range("max_items", None, 1, 1000);
        v.items("tags", Some(51), 0, 50);
        v.items("tags", Some(50), 0, 50);
        assert_eq!(v.0.len(), 5, "{:?}", v.0);
        assert_eq!(v.0[4], "`tags` must have at most 50 items, got 51");
        assert!(v.0[1].contains("`user_name` is \"bad name\""));
        assert!(v.0[3].contains("`max_items` is 0, expected 1 to 1000"));
    }

    #[test]
    fn one_item_is_singular() {
        let mut v = Violations::default();
        v.items("action_names", Some(0), 1, u64::MAX);
        v.items("tags", Some(2), 0, 1);
        assert_eq!(v.0[0], "`action_names` must have at least 1 item, got 0");
        assert_eq!(v.0[1], "`tags` must have at most 1 item, got 2");
    }
}
