//! `*` globs, as the manifest's cleanup `only` filters and the guardrails match names.

/// `*` matches any run of characters; everything else is literal.
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches(
            "arn:*:mfa/*",
            "arn:aws:iam::123456789012:mfa/alice"
        ));
        assert!(!glob_matches("arn:*:mfa/*", "GAHT12345678"));
        assert!(glob_matches(
            "/aws-service-role/*",
            "/aws-service-role/elasticbeanstalk.amazonaws.com/"
        ));
        assert!(!glob_matches("/aws-service-role/*", "/"));
        assert!(glob_matches("false", "false"));
        assert!(!glob_matches("a*a", "a"));
    }
}
