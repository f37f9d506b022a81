//! Checks of the manifest's param constraints (length, pattern, enum, range) at call time.
//! JSON Schema states them to the client; these make them hold whatever the client sends.

use regex::Regex;
use std::sync::OnceLock;

/// Implemented by every generated params struct.
pub trait Validate {
    fn validate(&self, violations: &mut Violations);
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

fn shown(value: &str) -> String {
    let mut shown: String = value.chars().take(80).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    format!("{shown:?}")
}

impl Violations {
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
