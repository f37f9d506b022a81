//! Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, `${?}`, `${$}`,
//! defaults `${aws:username, 'nobody'}`) and the token form that wildcard matching uses.
//!
//! A policy string is parsed once into a [`Template`]: literal runs, `*` and `?` wildcards,
//! and variables. Text that a variable or `${*}` produces is always literal, so
//! `StringLike "${aws:username}"` with a user named `a*` matches only the text `a*`.

use std::borrow::Cow;

use super::request::Context;

/// One matching token: literal text, `*` (any run of characters) or `?` (one character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Lit(String),
    Star,
    One,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Tok(Tok),
    Var {
        key: String,
        default: Option<String>,
    },
}

/// A policy string with its variables located, ready to be resolved against a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    raw: String,
    parts: Vec<Part>,
    /// The tokens when the template has no variables (the common, allocation-free case).
    fixed: Option<Vec<Tok>>,
}

/// A variable the request could not supply (absent, or multivalued), with the key as
/// written in the policy (lowercased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unresolved(pub String);

fn push_lit(parts: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Part::Tok(Tok::Lit(prev))) = parts.last_mut() {
        prev.push_str(text);
    } else {
        parts.push(Part::Tok(Tok::Lit(text.to_owned())));
    }
}

/// Literal text with `*` and `?` turned into wildcard tokens.
fn push_pattern_text(parts: &mut Vec<Part>, text: &str) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let tok = match c {
            '*' => Tok::Star,
            '?' => Tok::One,
            _ => continue,
        };
        push_lit(parts, &text[start..i]);
        parts.push(Part::Tok(tok));
        start = i + c.len_utf8();
    }
    push_lit(parts, &text[start..]);
}

impl Template {
    /// Parses `raw`; `variables` is false for policies whose Version is absent or
    /// 2008-10-17, where `${...}` is plain text.
    pub(crate) fn parse(raw: &str, variables: bool) -> Template {
        let mut parts = Vec::new();
        let mut rest = raw;
        while variables && let Some(open) = rest.find("${") {
            let Some(close_rel) = rest[open + 2..].find('}') else {
                break;
            };
            push_pattern_text(&mut parts, &rest[..open]);
            let inner = rest[open + 2..open + 2 + close_rel].trim();
            match inner {
                "*" => push_lit(&mut parts, "*"),
                "?" => push_lit(&mut parts, "?"),
                "$" => push_lit(&mut parts, "$"),
                _ => {
                    let (key, default) = match inner.split_once(',') {
                        Some((k, d)) => {
                            let d = d.trim();
                            let d = d
                                .strip_prefix('\'')
                                .and_then(|d| d.strip_suffix('\''))
                                .unwrap_or(d);
                            (k.trim(), Some(d.to_owned()))
                        }
                        None => (inner, None),
                    };
                    parts.push(Part::Var {
                        key: key.to_lowercase(),
                        default,
                    });
                }
            }
            rest = &rest[open + 2 + close_rel + 1..];
        }
        push_pattern_text(&mut parts, rest);
        let fixed = if parts.iter().all(|p| matches!(p, Part::Tok(_))) {
            Some(
                parts
                    .iter()
                    .filter_map(|p| match p {
                        Part::Tok(t) => Some(t.clone()),
                        Part::Var { .. } => None,
                    })
                    .collect(),
            )
        } else {
            None
        };
        Template {
            raw: raw.to_owned(),
            parts,
            fixed,
        }
    }

    /// The string as written in the policy.
    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    /// True when the template contains at least one variable to resolve.
    pub(crate) fn has_variables(&self) -> bool {
        self.fixed.is_none()
    }

    /// The tokens without variables, if the template has none.
    pub(crate) fn fixed_tokens(&self) -> Option<&[Tok]> {
        self.fixed.as_deref()
    }

    /// Resolves the variables into literal tokens.
    pub(crate) fn tokens<'t>(&'t self, ctx: &Context) -> Result<Cow<'t, [Tok]>, Unresolved> {
        if let Some(fixed) = &self.fixed {
            return Ok(Cow::Borrowed(fixed));
        }
        let mut out: Vec<Tok> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let tok = match part {
                Part::Tok(t) => t.clone(),
                Part::Var { key, default } => Tok::Lit(lookup(ctx, key, default.as_deref())?),
            };
            match (out.last_mut(), tok) {
                (Some(Tok::Lit(prev)), Tok::Lit(s)) => prev.push_str(&s),
                (_, tok) => out.push(tok),
            }
        }
        Ok(Cow::Owned(out))
    }

    /// Resolves the variables into a plain string (wildcards kept as the characters
    /// `*` and `?`): the form equality operators compare.
    pub(crate) fn text<'t>(&'t self, ctx: &Context) -> Result<Cow<'t, str>, Unresolved> {
        if self.fixed.is_some() && !self.raw.contains("${") {
            return Ok(Cow::Borrowed(&self.raw));
        }
        let mut out = String::with_capacity(self.raw.len());
        for part in &self.parts {
            match part {
                Part::Tok(Tok::Lit(s)) => out.push_str(s),
                Part::Tok(Tok::Star) => out.push('*'),
                Part::Tok(Tok::One) => out.push('?'),
                Part::Var { key, default } => out.push_str(&lookup(ctx, key, default.as_deref())?),
            }
        }
        Ok(Cow::Owned(out))
    }
}

fn lookup(ctx: &Context, key: &str, default: Option<&str>) -> Result<String, Unresolved> {
    match ctx.get(key) {
        Some(values) if values.len() == 1 => Ok(values[0].clone()),
        Some(_) => Err(Unresolved(key.to_owned())),
        None => default
            .map(str::to_owned)
            .ok_or_else(|| Unresolved(key.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_when_variables_disabled() {
        let t = Template::parse("user/${aws:username}", false);
        assert!(!t.has_variables());
        assert_eq!(t.text(&Context::default()).unwrap(), "user/${aws:username}");
    }

    #[test]
    fn resolves_and_defaults() {
        let mut ctx = Context::default();
        ctx.insert("AWS:UserName", vec!["bob".into()]);
        let t = Template::parse("home/${aws:username}/*", true);
        assert_eq!(t.text(&ctx).unwrap(), "home/bob/*");
        let toks = t.tokens(&ctx).unwrap();
        assert_eq!(&*toks, &[Tok::Lit("home/bob/".into()), Tok::Star]);
        let d = Template::parse("${aws:PrincipalTag/team, 'none'}", true);
        assert_eq!(d.text(&ctx).unwrap(), "none");
        let missing = Template::parse("${aws:PrincipalTag/team}", true);
        assert_eq!(
            missing.text(&ctx),
            Err(Unresolved("aws:principaltag/team".into()))
        );
    }

    #[test]
    fn special_variables_are_literal() {
        let t = Template::parse("a${*}b${?}c${$}", true);
        assert_eq!(t.fixed_tokens().unwrap(), &[Tok::Lit("a*b?c$".into())]);
        let w = Template::parse("a*b?", true);
        assert_eq!(
            w.fixed_tokens().unwrap(),
            &[
                Tok::Lit("a".into()),
                Tok::Star,
                Tok::Lit("b".into()),
                Tok::One
            ]
        );
    }

    #[test]
    fn unterminated_variable_is_text() {
        let t = Template::parse("x${aws:username", true);
        assert_eq!(t.text(&Context::default()).unwrap(), "x${aws:username");
    }

    #[test]
    fn multivalued_variable_does_not_resolve() {
        let mut ctx = Context::default();
        ctx.insert("aws:PrincipalOrgPaths", vec!["a".into(), "b".into()]);
        assert!(
            Template::parse("${aws:PrincipalOrgPaths}", true)
                .text(&ctx)
                .is_err()
        );
    }
}
