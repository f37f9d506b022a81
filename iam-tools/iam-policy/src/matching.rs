//! Wildcard matching of actions, resource ARNs and ARN condition values, and principal
//! matching. No regex and no allocation on the common paths: patterns are tokenized once
//! at parse time ([`Tok`]) and matched by a backtracking two-pointer walk.

use serde::Serialize;

use super::request::Context;
use super::variables::{Template, Tok, Unresolved};

/// Byte length of the UTF-8 character that starts at `b`.
fn char_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}

/// Matches `text` against tokens: `*` any run (possibly empty), `?` exactly one character,
/// literals byte for byte (callers lowercase both sides for case-insensitive matching).
pub(crate) fn glob(toks: &[Tok], text: &str) -> bool {
    let text = text.as_bytes();
    let (mut ti, mut si) = (0usize, 0usize);
    // Position after the last `*` seen, and the text position it currently absorbs up to.
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if let Some(tok) = toks.get(ti) {
            match tok {
                Tok::Star => {
                    backtrack = Some((ti + 1, si));
                    ti += 1;
                    continue;
                }
                Tok::One => {
                    if let Some(&b) = text.get(si) {
                        si += char_len(b);
                        ti += 1;
                        continue;
                    }
                }
                Tok::Lit(lit) => {
                    if text
                        .get(si..)
                        .is_some_and(|rest| rest.starts_with(lit.as_bytes()))
                    {
                        si += lit.len();
                        ti += 1;
                        continue;
                    }
                }
            }
        } else if si >= text.len() {
            return true;
        }
        match backtrack {
            Some((after_star, absorbed)) if absorbed < text.len() => {
                let next = absorbed + text.get(absorbed).map_or(1, |&b| char_len(b));
                backtrack = Some((after_star, next));
                ti = after_star;
                si = next;
            }
            _ => return false,
        }
    }
}

/// True if the tokens contain a `*` or `?` wildcard.
pub(crate) fn has_wildcard(toks: &[Tok]) -> bool {
    toks.iter().any(|t| !matches!(t, Tok::Lit(_)))
}

/// Splits tokens on `:` found in literal text, into at most `max` segments (the last one
/// keeps its colons).
pub(crate) fn split_colons(toks: &[Tok], max: usize) -> Vec<Vec<Tok>> {
    let mut segs: Vec<Vec<Tok>> = vec![Vec::new()];
    for tok in toks {
        match tok {
            Tok::Lit(s) => {
                let mut rest = s.as_str();
                while segs.len() < max {
                    let Some(i) = rest.find(':') else { break };
                    if i > 0
                        && let Some(seg) = segs.last_mut()
                    {
                        seg.push(Tok::Lit(rest[..i].to_owned()));
                    }
                    segs.push(Vec::new());
                    rest = &rest[i + 1..];
                }
                if !rest.is_empty()
                    && let Some(seg) = segs.last_mut()
                {
                    seg.push(Tok::Lit(rest.to_owned()));
                }
            }
            other => {
                if let Some(seg) = segs.last_mut() {
                    seg.push(other.clone());
                }
            }
        }
    }
    segs
}

/// An ARN split into its six parts (`arn`, partition, service, region, account, resource).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArnParts<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    pub(crate) fn parse(arn: &'a str) -> Option<ArnParts<'a>> {
        let mut it = arn.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        Some(ArnParts {
            partition: it.next()?,
            service: it.next()?,
            region: it.next()?,
            account: it.next()?,
            resource: it.next()?,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Actions

/// One entry of Action / NotAction, lowercased at parse time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActionPattern {
    /// As written in the policy.
    pub(crate) raw: Box<str>,
    toks: Vec<Tok>,
    /// `*`, or `service:pattern` with a non-empty service. Anything else matches nothing.
    valid: bool,
    /// The first (up to) eight bytes of the leading literal, little-endian and zero-padded,
    /// and how many there are: every action the pattern matches starts with them, so most
    /// actions of other services are refused without reading the tokens.
    head: u64,
    head_len: u8,
}

/// The first (up to) eight bytes of `bytes`, little-endian and zero-padded.
fn head_word(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

impl ActionPattern {
    pub(crate) fn new(raw: &str) -> ActionPattern {
        let lower = raw.to_lowercase();
        let valid = lower == "*"
            || lower
                .split_once(':')
                .is_some_and(|(svc, _)| !svc.is_empty());
        let toks = Template::parse(&lower, false)
            .fixed_tokens()
            .map(<[Tok]>::to_vec)
            .unwrap_or_default();
        let lead = match toks.first() {
            Some(Tok::Lit(lit)) => &lit.as_bytes()[..lit.len().min(8)],
            _ => &[][..],
        };
        ActionPattern {
            raw: raw.into(),
            head: head_word(lead),
            head_len: lead.len() as u8,
            toks,
            valid,
        }
    }

    /// `action_lower` is the request action, lowercased.
    pub(crate) fn matches(&self, action_lower: &str) -> bool {
        let bytes = action_lower.as_bytes();
        let n = self.head_len as usize;
        let mask = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        self.valid
            && bytes.len() >= n
            && head_word(bytes) & mask == self.head
            && glob(&self.toks, action_lower)
    }
}

// ---------------------------------------------------------------------------------------
// Resources

/// How truncated ARNs (`arn:aws:sqs`, `arn:aws:sqs:us-east-1`) in Resource / NotResource
/// are read; this depends on the policy type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShortArnMode {
    /// Identity, boundary and session policies: missing segments are wildcards; a
    /// truncated ARN that does not match is an error (never inverted by NotResource).
    Expand,
    /// Resource policies: only a truncated ARN that contains a wildcard is expanded;
    /// without one it is compared as written (and so matches nothing).
    ExpandIfWildcard,
    /// SCPs: a truncated ARN is valid only when it ends with `*`, then matched as written.
    TrailingWildcardOnly,
    /// RCPs: truncated ARNs are rejected.
    Reject,
}

/// The outcome of matching one Resource / NotResource entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResMatch {
    Match,
    NoMatch,
    /// The entry cannot be evaluated (rejected truncated ARN, unresolved variable):
    /// the statement does not apply, for Resource and NotResource alike.
    Error,
}

/// The request resource as matching sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ReqResource<'a> {
    Value {
        text: &'a str,
        arn: Option<ArnParts<'a>>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// Exactly `*`.
    All,
    /// Starts with `arn:`; `segments` is the number of colon-separated parts (max 6).
    Arn {
        segments: Option<Vec<Vec<Tok>>>,
        count: usize,
    },
    /// Anything else: matched as a whole.
    Plain,
}

/// One entry of Resource / NotResource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePattern {
    template: Template,
    shape: Shape,
}

impl ResourcePattern {
    /// As written in the policy.
    pub(crate) fn raw(&self) -> &str {
        self.template.raw()
    }

    pub(crate) fn new(raw: &str, variables: bool) -> ResourcePattern {
        let template = Template::parse(raw, variables);
        let shape = if raw == "*" {
            Shape::All
        } else if raw.starts_with("arn:") {
            let colons = if variables {
                colons_outside_variables(raw)
            } else {
                raw.matches(':').count()
            };
            let count = (colons + 1).min(6);
            let segments = template.fixed_tokens().map(|t| split_colons(t, 6));
            Shape::Arn { segments, count }
        } else {
            Shape::Plain
        };
        ResourcePattern { template, shape }
    }

    pub(crate) fn matches(
        &self,
        req: ReqResource<'_>,
        ctx: &Context,
        mode: ShortArnMode,
    ) -> Result<ResMatch, Unresolved> {
        let ReqResource::Value { text, arn } = req;
        let count = match &self.shape {
            Shape::All => return Ok(ResMatch::Match),
            Shape::Plain => return Ok(bool_match(glob(&self.template.tokens(ctx)?, text))),
            Shape::Arn { count, .. } => *count,
        };
        let toks = self.template.tokens(ctx)?;
        let owned;
        let segments: &[Vec<Tok>] = match &self.shape {
            Shape::Arn {
                segments: Some(s), ..
            } => s,
            _ => {
                owned = split_colons(&toks, 6);
                &owned
            }
        };
        if count < 6 {
            let expand = match mode {
                ShortArnMode::Expand => true,
                ShortArnMode::ExpandIfWildcard => has_wildcard(&toks),
                ShortArnMode::TrailingWildcardOnly => {
                    return Ok(if matches!(toks.last(), Some(Tok::Star)) {
                        bool_match(glob(&toks, text))
                    } else {
                        ResMatch::Error
                    });
                }
                ShortArnMode::Reject => return Ok(ResMatch::Error),
            };
            if !expand {
                return Ok(bool_match(glob(&toks, text)));
            }
            let Some(arn) = arn else {
                return Ok(ResMatch::Error);
            };
            let star = [Tok::Star];
            let seg = |i: usize| segments.get(i).map_or(&star[..], |s| s.as_slice());
            let ok = arn_segments_match(seg(1), seg(2), seg(3), seg(4), seg(5), &arn);
            return Ok(if ok { ResMatch::Match } else { ResMatch::Error });
        }
        let Some(arn) = arn else {
            return Ok(bool_match(glob(&toks, text)));
        };
        let seg = |i: usize| segments.get(i).map_or(&[][..], |s| s.as_slice());
        if segments.first().is_none_or(|s| !glob(s, "arn")) {
            return Ok(ResMatch::NoMatch);
        }
        Ok(bool_match(arn_segments_match(
            seg(1),
            seg(2),
            seg(3),
            seg(4),
            seg(5),
            &arn,
        )))
    }
}

/// Number of `:` in `raw` that are not inside a `${...}` variable.
fn colons_outside_variables(raw: &str) -> usize {
    let mut count = 0;
    let mut rest = raw;
    while let Some(i) = rest.find([':', '$']) {
        if rest[i..].starts_with("${") {
            match rest[i..].find('}') {
                Some(close) => rest = &rest[i + close + 1..],
                None => {
                    count += rest[i..].matches(':').count();
                    break;
                }
            }
        } else {
            if rest[i..].starts_with(':') {
                count += 1;
            }
            rest = &rest[i + 1..];
        }
    }
    count
}

fn bool_match(b: bool) -> ResMatch {
    if b {
        ResMatch::Match
    } else {
        ResMatch::NoMatch
    }
}

/// Segment-wise ARN matching for Resource entries. The resource part is matched as a
/// whole, except that a wildcard in the resource type (before the first `/` or `:`) of
/// services whose resource part has a type never matches (`arn:aws:ec2:...:*/i-1`).
fn arn_segments_match(
    partition: &[Tok],
    service: &[Tok],
    region: &[Tok],
    account: &[Tok],
    resource: &[Tok],
    arn: &ArnParts<'_>,
) -> bool {
    if !(glob(partition, arn.partition)
        && glob(service, arn.service)
        && glob(region, arn.region)
        && glob(account, arn.account))
    {
        return false;
    }
    let untyped = (arn.service == "s3" && arn.region.is_empty() && arn.account.is_empty())
        || arn.service == "sqs"
        || arn.service == "sns";
    if !untyped && wildcard_in_resource_type(resource) {
        return false;
    }
    glob(resource, arn.resource)
}

fn wildcard_in_resource_type(resource: &[Tok]) -> bool {
    let mut saw_wildcard = false;
    for tok in resource {
        match tok {
            Tok::Lit(s) => {
                if s.contains(['/', ':']) {
                    return saw_wildcard;
                }
            }
            _ => saw_wildcard = true,
        }
    }
    false
}

/// ARN condition operators (ArnEquals / ArnLike and negations): both sides must be ARNs;
/// the first five parts match segment by segment, the resource part as a whole, all
/// case-sensitively. `None` when either side is not an ARN.
pub(crate) fn arn_condition_match(pattern: &[Tok], value: &str) -> Option<bool> {
    let arn = ArnParts::parse(value)?;
    let segs = split_colons(pattern, 6);
    if segs.len() < 6 || !segs.first().is_some_and(|s| glob(s, "arn")) {
        return None;
    }
    let seg = |i: usize| segs.get(i).map_or(&[][..], |s| s.as_slice());
    Some(
        glob(seg(1), arn.partition)
            && glob(seg(2), arn.service)
            && glob(seg(3), arn.region)
            && glob(seg(4), arn.account)
            && glob(seg(5), arn.resource),
    )
}

// ---------------------------------------------------------------------------------------
// Principals

/// Who is calling, derived from the request's principal ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller<'a> {
    Anonymous,
    /// An IAM principal the request does not name (simulation without a caller ARN).
    Unnamed,
    /// A service principal such as `lambda.amazonaws.com`.
    Service(&'a str),
    Iam {
        arn: &'a str,
        account: &'a str,
        kind: IamKind<'a>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IamKind<'a> {
    User,
    Role { name: &'a str },
    AssumedRole { role_name: &'a str },
    FederatedUser,
    Root,
    Other,
}

impl<'a> Caller<'a> {
    pub(crate) fn parse(principal: Option<&'a str>, anonymous: bool) -> Caller<'a> {
        let Some(p) = principal else {
            return if anonymous {
                Caller::Anonymous
            } else {
                Caller::Unnamed
            };
        };
        let Some(arn) = ArnParts::parse(p) else {
            return Caller::Service(p);
        };
        let kind = match arn.service {
            "iam" if arn.resource == "root" => IamKind::Root,
            "iam" if arn.resource.starts_with("user/") => IamKind::User,
            "iam" if arn.resource.starts_with("role/") => IamKind::Role {
                name: arn.resource.rsplit('/').next().unwrap_or(arn.resource),
            },
            "sts" if arn.resource.starts_with("assumed-role/") => IamKind::AssumedRole {
                role_name: arn.resource["assumed-role/".len()..]
                    .split('/')
                    .next()
                    .unwrap_or(""),
            },
            "sts" if arn.resource.starts_with("federated-user/") => IamKind::FederatedUser,
            _ => IamKind::Other,
        };
        Caller::Iam {
            arn: p,
            account: arn.account,
            kind,
        }
    }

    /// True for callers subject to identity-based policies and SCPs.
    pub(crate) fn is_iam(&self) -> bool {
        matches!(self, Caller::Iam { .. } | Caller::Unnamed)
    }

    pub(crate) fn account(&self) -> Option<&'a str> {
        match self {
            Caller::Iam { account, .. } => Some(account),
            _ => None,
        }
    }
}

/// How a resource-policy principal entry matched the caller; decides whether the grant
/// stands on its own or still needs the caller's identity policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalGrant {
    /// The caller's account (`arn:aws:iam::111122223333:root` or `111122223333`): the
    /// account delegates to its identity policies.
    Account,
    /// The caller's role (for the role itself or one of its sessions): limited by the
    /// role's permissions boundary and session policy.
    Role,
    /// The caller by name (user, session), `*`, a service, or NotPrincipal: stands alone.
    Direct,
}

/// One entry of Principal / NotPrincipal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    Aws(String),
    Service(String),
    Federated(String),
    CanonicalUser(String),
}

impl PrincipalEntry {
    /// How this entry matches the caller. `not_principal` restricts role entries to the
    /// role itself (a NotPrincipal must name a session explicitly to exempt it).
    pub(crate) fn matches(
        &self,
        caller: &Caller<'_>,
        not_principal: bool,
    ) -> Option<PrincipalGrant> {
        match (self, caller) {
            (PrincipalEntry::Everyone, _) => Some(PrincipalGrant::Direct),
            (PrincipalEntry::Service(s), Caller::Service(c)) => {
                s.eq_ignore_ascii_case(c).then_some(PrincipalGrant::Direct)
            }
            (
                PrincipalEntry::Federated(s) | PrincipalEntry::CanonicalUser(s),
                Caller::Iam { arn, .. },
            )
            | (
                PrincipalEntry::Federated(s) | PrincipalEntry::CanonicalUser(s),
                Caller::Service(arn),
            ) => (s == arn).then_some(PrincipalGrant::Direct),
            (PrincipalEntry::Aws(entry), Caller::Iam { arn, account, kind }) => {
                // An account in Principal names every principal of the account (the account
                // delegates to its identity policies). In NotPrincipal it exempts the account
                // itself only: AWS checks the account, then the user or role, then the
                // session, and each must be listed to be exempt (User Guide, NotPrincipal:
                // "you must also specify the account ARN of the principal that you do not
                // want to deny").
                let account_entry =
                    if entry.len() == 12 && entry.bytes().all(|b| b.is_ascii_digit()) {
                        Some(entry.as_str())
                    } else {
                        ArnParts::parse(entry)
                            .filter(|p| p.service == "iam" && p.resource == "root")
                            .map(|p| p.account)
                    };
                if let Some(entry_account) = account_entry {
                    let exempt_only_root = not_principal && !matches!(kind, IamKind::Root);
                    return (entry_account == *account && !exempt_only_root)
                        .then_some(PrincipalGrant::Account);
                }
                let parts = ArnParts::parse(entry)?;
                if entry == arn {
                    return Some(match kind {
                        IamKind::Role { .. } => PrincipalGrant::Role,
                        IamKind::Root => PrincipalGrant::Account,
                        _ => PrincipalGrant::Direct,
                    });
                }
                if not_principal {
                    return None;
                }
                // A role ARN also names every session of that role.
                if let IamKind::AssumedRole { role_name } = kind
                    && parts.service == "iam"
                    && parts.account == *account
                    && parts.resource.starts_with("role/")
                    && parts.resource.rsplit('/').next() == Some(role_name)
                {
                    return Some(PrincipalGrant::Role);
                }
                None
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(p: &str) -> Vec<Tok> {
        Template::parse(p, false).fixed_tokens().unwrap().to_vec()
    }

    #[test]
    fn glob_basics() {
        assert!(glob(&toks("*"), ""));
        assert!(glob(&toks("s3:get*"), "s3:getobject"));
        assert!(!glob(&toks("s3:get*"), "s3:putobject"));
        assert!(glob(&toks("a?c"), "abc"));
        assert!(!glob(&toks("a?c"), "ac"));
        assert!(glob(&toks("*a*b*c"), "xxaxxbxxc"));
        assert!(!glob(&toks("*a*b*c"), "xxaxxbxxcd"));
        assert!(glob(&toks("a*"), "a"));
        assert!(glob(&toks("é?"), "éü"));
        assert!(glob(&toks("test???value"), "test123value"));
    }

    #[test]
    fn action_patterns() {
        assert!(ActionPattern::new("S3:Get*").matches("s3:getobject"));
        assert!(ActionPattern::new("*").matches("iam:getrole"));
        assert!(!ActionPattern::new("s3:").matches("s3:getbucket"));
        assert!(!ActionPattern::new("s3:GetObject,PutObject").matches("s3:getobject"));
        assert!(!ActionPattern::new("GetObject").matches("getobject"));
        assert!(ActionPattern::new("iam:?etRole").matches("iam:getrole"));
    }

    fn res(p: &str, r: &str, mode: ShortArnMode) -> ResMatch {
        let req = ReqResource::Value {
            text: r,
            arn: ArnParts::parse(r),
        };
        ResourcePattern::new(p, true)
            .matches(req, &Context::default(), mode)
            .unwrap()
    }

    #[test]
    fn resource_segments() {
        use ResMatch::*;
        use ShortArnMode::*;
        let q = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
        assert_eq!(
            res("arn:aws:ec2:*:123456789012:instance/*", q, Expand),
            Match
        );
        assert_eq!(
            res("arn:aws:ec2:us-east-1:123456789012:*/i-1", q, Expand),
            NoMatch
        );
        assert_eq!(
            res("arn:aws:ec2:us-east-1:123456789012:*", q, Expand),
            Match
        );
        assert_eq!(
            res("arn:aws:ec2:us-east-1:12345678901?:instance/i-1", q, Expand),
            Match
        );
        assert_eq!(
            res("arn:aws:ec2:us-east-1:123456789012:Instance/i-1", q, Expand),
            NoMatch
        );
        assert_eq!(
            res(
                "arn:aws:s3:::*/object",
                "arn:aws:s3:::bucket/object",
                Expand
            ),
            Match
        );
        assert_eq!(res("arn:*:s3:::b", "arn:aws:s3:::b", Expand), Match);
    }

    #[test]
    fn short_arns_by_policy_type() {
        use ResMatch::*;
        use ShortArnMode::*;
        let q = "arn:aws:sqs:us-east-1:111111111111:queue";
        assert_eq!(res("arn:aws:sqs", q, Expand), Match);
        assert_eq!(res("arn:aws:sqs:us-west-2", q, Expand), Error);
        assert_eq!(res("arn:aws:sqs", q, ExpandIfWildcard), NoMatch);
        assert_eq!(
            res("arn:aws:sqs:*:111111111111", q, ExpandIfWildcard),
            Match
        );
        assert_eq!(
            res("arn:aws:sqs:*:222222222222", q, ExpandIfWildcard),
            Error
        );
        assert_eq!(
            res("arn:aws:sqs:us-east-1:*", q, TrailingWildcardOnly),
            Match
        );
        assert_eq!(
            res("arn:aws:sqs:*:111111111111", q, TrailingWildcardOnly),
            Error
        );
        assert_eq!(res("arn:aws:sqs:*", q, Reject), Error);
        // A variable's own colon does not count as a segment separator.
        assert_eq!(
            colons_outside_variables("arn:aws:sqs:${aws:RequestedRegion}"),
            3
        );
        assert_eq!(
            colons_outside_variables("arn:aws:s3:::b/${aws:username}/$x"),
            5
        );
    }

    #[test]
    fn arn_conditions() {
        let v = "arn:aws:ec2:us-east-1:123456789012:instance/i-1";
        assert_eq!(arn_condition_match(&toks("arn:???:*:*:*:*"), v), Some(true));
        assert_eq!(
            arn_condition_match(&toks("arn:aws:ec2:us-east-1:123456789012:INSTANCE/i-1"), v),
            Some(false)
        );
        assert_eq!(arn_condition_match(&toks("arn:::bucket"), v), None);
        assert_eq!(
            arn_condition_match(&toks("arn:aws:iam::*:user/x"), "x"),
            None
        );
    }

    #[test]
    fn principals() {
        let session = Caller::parse(Some("arn:aws:sts::111111111111:assumed-role/r/s"), false);
        let role = PrincipalEntry::Aws("arn:aws:iam::111111111111:role/path/r".into());
        assert_eq!(role.matches(&session, false), Some(PrincipalGrant::Role));
        assert_eq!(role.matches(&session, true), None);
        let root = PrincipalEntry::Aws("111111111111".into());
        assert_eq!(root.matches(&session, false), Some(PrincipalGrant::Account));
        assert_eq!(
            PrincipalEntry::Everyone.matches(&Caller::Anonymous, false),
            Some(PrincipalGrant::Direct)
        );
        assert_eq!(root.matches(&Caller::Anonymous, false), None);
        let svc = Caller::parse(Some("lambda.amazonaws.com"), false);
        assert_eq!(
            PrincipalEntry::Service("lambda.amazonaws.com".into()).matches(&svc, false),
            Some(PrincipalGrant::Direct)
        );
    }
}
