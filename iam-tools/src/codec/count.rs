//! Counts in text: "1 user", "2 users", "0 users".

/// `n` and the noun in the number it takes: `count(1, "group", "groups")` is "1 group".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// An account's users, groups, roles and managed policies, as texts count them:
/// "1 user, 0 groups, 2 roles, 3 managed policies".
pub fn account_counts((users, groups, roles, policies): (usize, usize, usize, usize)) -> String {
    format!(
        "{}, {}, {}, {}",
        count(users, "user", "users"),
        count(groups, "group", "groups"),
        count(roles, "role", "roles"),
        count(policies, "managed policy", "managed policies")
    )
}

#[cfg(test)]
mod tests {
    use super::{account_counts, count};

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "group", "groups"), "1 group");
        assert_eq!(count(0, "group", "groups"), "0 groups");
        assert_eq!(
            account_counts((1, 0, 2, 3)),
            "1 user, 0 groups, 2 roles, 3 managed policies"
        );
    }
}
