//! The texts of a result: notes and the manifest's messages.

use crate::catalog::JsonObject;
use serde_json::Value;

/// The Note of an included field whose operation the backend cannot answer.
pub fn unanswered_note(field: &str, operation: &str) -> String {
    format!(
        "{field} is not known offline: the account file has no iam:{operation} data, so {field} is empty here."
    )
}

/// The notes of a call's operations, joined.
pub fn join_notes<const N: usize>(notes: [Option<String>; N]) -> Option<String> {
    let notes: Vec<String> = notes.into_iter().flatten().collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

/// A manifest message with each `{param}` replaced by the call's argument.
pub fn render_message(template: &str, args: &JsonObject) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let key = &rest[start + 1..start + len];
        match args.get(key) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
            None => out.push('-'),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_fill_params() {
        let args = serde_json::json!({"user_name": "bob", "n": 3})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(
            render_message("Deleted user {user_name} ({n}, {x}).", &args),
            "Deleted user bob (3, -)."
        );
    }

    #[test]
    fn notes_join() {
        assert_eq!(
            join_notes([None, Some("a".to_string()), Some("b".to_string())]),
            Some("a b".to_string())
        );
        assert_eq!(join_notes::<1>([None]), None);
    }
}
