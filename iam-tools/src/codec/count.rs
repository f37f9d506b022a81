//! Counts in text: "1 user", "2 users", "0 users".

/// `n` and the noun in the number it takes: `count(1, "group", "groups")` is "1 group".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "group", "groups"), "1 group");
        assert_eq!(count(0, "group", "groups"), "0 groups");
        assert_eq!(
            count(2, "managed policy", "managed policies"),
            "2 managed policies"
        );
    }
}
