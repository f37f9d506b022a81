//! Pattern questions the catalog answers: can a policy's resource pattern name a resource of
//! a given type (an ARN template such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`),
//! does a condition key fit a key template (`aws:RequestTag/${TagKey}`), does an action
//! pattern (`s3:Get*`) cover an action name.

use std::ops::Range;

/// The search's visited set (a bit per state) and stack of (pattern, template, started).
type SearchBuffers = (Vec<u64>, Vec<(usize, usize, bool)>);

thread_local! {
    /// The search's buffers, reused from call to call.
    static SEARCH: std::cell::RefCell<SearchBuffers> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// One piece of an ARN template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(u8),
    /// `${Name}`: one or more characters; `stop` lists what it cannot contain.
    Hole {
        stop: [bool; 2],
    },
}

const SLASH: usize = 0;
const COLON: usize = 1;

/// A resource type's ARN template, compiled for [`ArnTemplate::intersects`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArnTemplate {
    pieces: Vec<Piece>,
    /// The service field, when the template names one (`s3`), and the literal start of
    /// the resource part (`accesspoint/`): a quick no before the full search.
    service: Option<Box<str>>,
    resource_start: Box<str>,
    /// Region and account fields: `None` for a placeholder or `*` (any text), else the literal
    /// (often empty: `arn:${Partition}:s3:::...`).
    region: Option<Box<str>>,
    account: Option<Box<str>>,
    /// The index of the first piece of the resource part (after the fifth `:`).
    resource_from: Option<usize>,
}

/// The service field and the literal start of the resource part of an ARN or ARN pattern:
/// text up to the first wildcard, variable or placeholder.
fn quick_fields(arn: &str) -> Option<(&str, &str)> {
    let mut fields = arn.splitn(6, ':');
    let (_, _, service, _, _) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    let resource = fields.next()?;
    let end = resource.find(['*', '?', '$']).unwrap_or(resource.len());
    Some((service, &resource[..end]))
}

impl ArnTemplate {
    /// Compiles `arn`. A placeholder in the first five fields (partition, service, region,
    /// account) never holds `:`. A placeholder that a sibling template (`siblings`, the
    /// service's other resource types) continues with `/` or `:` does not hold that
    /// character: `${BucketName}` is followed by `/${ObjectName}` in the object type, so a
    /// `/` means an object, not a bucket. Other placeholders hold anything (log group names
    /// and role paths contain `/`).
    pub fn new(arn: &str, siblings: &[&str]) -> ArnTemplate {
        let bytes = arn.as_bytes();
        let mut pieces = Vec::with_capacity(bytes.len());
        let (mut i, mut colons) = (0, 0);
        while i < bytes.len() {
            if bytes[i..].starts_with(b"${")
                && let Some(end) = arn[i..].find('}')
            {
                let after = &arn[..i + end + 1];
                let continued = |c: char| {
                    siblings.iter().any(|s| {
                        s.len() > after.len()
                            && s.starts_with(after)
                            && s[after.len()..].starts_with(c)
                    })
                };
                let stop = [continued('/'), colons < 5 || continued(':')];
                pieces.push(Piece::Hole { stop });
                i += end + 1;
                continue;
            }
            if bytes[i] == b':' {
                colons += 1;
            }
            pieces.push(Piece::Lit(bytes[i]));
            i += 1;
        }
        let (service, resource_start) = match quick_fields(arn) {
            Some((service, start)) => (
                (!service.contains("${")).then(|| service.into()),
                start.into(),
            ),
            None => (None, "".into()),
        };
        let field = |i: usize| {
            arn.split(':')
                .nth(i)
                .filter(|f| !f.contains("${") && *f != "*")
                .map(Into::into)
        };
        let mut colons = 0;
        let resource_from = pieces.iter().position(|p| {
            if *p == Piece::Lit(b':') {
                colons += 1;
            }
            colons == 5
        });
        ArnTemplate {
            resource_from: resource_from.map(|i| i + 1),
            pieces,
            service,
            resource_start,
            region: field(3),
            account: field(4),
        }
    }

    /// True if some ARN of this type matches `pattern`, a policy's Resource entry (`*` and
    /// `?` wildcards; a policy variable such as `${aws:username}` stands for any text).
    /// Matching is case-sensitive, as IAM matches resources.
    pub fn intersects(&self, pattern: &str) -> bool {
        self.intersects_parsed(&ResourcePattern::new(pattern))
    }

    /// [`ArnTemplate::intersects`] for a pattern parsed once for many templates.
    pub fn intersects_parsed(&self, pattern: &ResourcePattern) -> bool {
        self.intersects_with(pattern, true)
    }

    /// [`ArnTemplate::intersects_parsed`], where `settle` says whether common shapes are
    /// decided without the search (false: always search; the tests compare the two).
    fn intersects_with(&self, pattern: &ResourcePattern, settle: bool) -> bool {
        // Quick no: another service, or resource parts that part ways before any wildcard.
        if let Some((service, start)) = &pattern.quick {
            let (service, start) = (&pattern.text[service.clone()], &pattern.text[start.clone()]);
            if self.service.as_deref().is_some_and(|s| s != service) {
                return false;
            }
            let common = start.len().min(self.resource_start.len());
            if start.as_bytes()[..common] != self.resource_start.as_bytes()[..common] {
                return false;
            }
        }
        // Quick no on the region and account fields: a literal the template cannot hold.
        if let Some((region, account)) = &pattern.fields {
            let fits = |template: &Option<Box<str>>, field: &Range<usize>| {
                let field = &pattern.text[field.clone()];
                match template {
                    None => !field.is_empty(),
                    Some(lit) => glob_cs(field, lit),
                }
            };
            if !fits(&self.region, region) || !fits(&self.account, account) {
                return false;
            }
        }
        // The head fields decided above (the partition is a placeholder in every template):
        // search the resource parts only.
        let decided = pattern.quick.is_some()
            && pattern.fields.is_some()
            && self.service.is_some()
            && pattern.partition_set
            && self.resource_from.is_some();
        let (pat, head, pieces) = match (decided, pattern.resource_from, self.resource_from) {
            (true, Some(p), Some(t)) => (&pattern.tokens[p..], 0, &self.pieces[t..]),
            (_, p, _) => (&pattern.tokens[..], p.unwrap_or(0), &self.pieces[..]),
        };
        if !lengths_meet(pat, pieces) {
            return false;
        }
        if settle
            && head == 0
            && let Some(answer) = settled(pat, pieces)
        {
            return answer;
        }
        let (la, lb) = (pat.len(), pieces.len());
        SEARCH.with_borrow_mut(|(seen, stack)| {
            seen.clear();
            seen.resize(((la + 1) * (lb + 1) * 2).div_ceil(64), 0);
            stack.clear();
            search(pat, head, pieces, seen, stack)
        })
    }
}

/// The answer without the search, for the common shapes: one-character tokens against
/// literal pieces at either end are matched off (each must meet exactly one piece); what
/// remains is decided when it is nothing, or one placeholder (any one or more characters
/// but those it stops at: a literal token it stops at is the only thing that cannot go in).
/// `None`: the search decides. Only for patterns without head fields (`head == 0`).
fn settled(mut pat: &[PTok], mut pieces: &[Piece]) -> Option<bool> {
    let meets = |t: &PTok, p: &Piece| match (t, p) {
        (PTok::Lit(c), Piece::Lit(d)) => Some(c == d),
        (PTok::One, Piece::Lit(_)) => Some(true),
        _ => None,
    };
    while let (Some(t), Some(p)) = (pat.first(), pieces.first()) {
        match meets(t, p) {
            Some(false) => return Some(false),
            Some(true) => (pat, pieces) = (&pat[1..], &pieces[1..]),
            None => break,
        }
    }
    while let (Some(t), Some(p)) = (pat.last(), pieces.last()) {
        match meets(t, p) {
            Some(false) => return Some(false),
            Some(true) => (pat, pieces) = (&pat[..pat.len() - 1], &pieces[..pieces.len() - 1]),
            None => break,
        }
    }
    match pieces {
        [] => Some(pat.iter().all(|t| *t == PTok::Star)),
        [Piece::Hole { stop }] => Some(
            !pat.is_empty()
                && pat.iter().all(|t| match t {
                    PTok::Lit(b'/') => !stop[SLASH],
                    PTok::Lit(b':') => !stop[COLON],
                    _ => true,
                }),
        ),
        _ => None,
    }
}

/// Quick no before the search: whether the lengths of the texts `pat` and `pieces` match can
/// meet (a token stands for one character, `*` for any number; a literal for one, a
/// placeholder for one or more), and whether their last characters can be the same.
fn lengths_meet(pat: &[PTok], pieces: &[Piece]) -> bool {
    let stars = pat.iter().filter(|t| **t == PTok::Star).count();
    let holes = pieces.iter().any(|p| matches!(p, Piece::Hole { .. }));
    let (pat_min, pat_max) = (
        pat.len() - stars,
        if stars > 0 { usize::MAX } else { pat.len() },
    );
    let (tpl_min, tpl_max) = (pieces.len(), if holes { usize::MAX } else { pieces.len() });
    let last_differs = matches!(
        (pat.last(), pieces.last()),
        (Some(PTok::Lit(c)), Some(Piece::Lit(d))) if c != d
    );
    pat_max >= tpl_min && tpl_max >= pat_min && !last_differs
}

/// Search over (pattern position, template position, placeholder has text yet). The first
/// `head` tokens of `pat` are in the head fields of a whole ARN.
fn search(
    pat: &[PTok],
    head: usize,
    pieces: &[Piece],
    seen: &mut [u64],
    stack: &mut Vec<(usize, usize, bool)>,
) -> bool {
    let (la, lb) = (pat.len(), pieces.len());
    stack.push((0, 0, false));
    while let Some((i, j, started)) = stack.pop() {
        let slot = (i * (lb + 1) + j) * 2 + usize::from(started);
        if seen[slot / 64] & (1 << (slot % 64)) != 0 {
            continue;
        }
        seen[slot / 64] |= 1 << (slot % 64);
        if i == la && j == lb {
            return true;
        }
        let hole = match pieces.get(j) {
            Some(Piece::Hole { stop }) => Some(*stop),
            _ => None,
        };
        // Close the placeholder here, unless the next piece is a literal the next token is
        // not (a state with nowhere to go: most of them, as a placeholder takes text).
        let dead_end = matches!(
            (pat.get(i), pieces.get(j + 1)),
            (Some(PTok::Lit(c)), Some(Piece::Lit(d))) if c != d
        );
        if hole.is_some() && started && !dead_end {
            stack.push((i, j + 1, false));
        }
        match pat.get(i) {
            Some(PTok::Star) => {
                stack.push((i + 1, j, started));
                match pieces.get(j) {
                    Some(Piece::Lit(b':')) if i < head => {}
                    Some(Piece::Lit(_)) => stack.push((i, j + 1, false)),
                    Some(Piece::Hole { .. }) => stack.push((i, j, true)),
                    None => {}
                }
            }
            Some(PTok::One) => match pieces.get(j) {
                Some(Piece::Lit(_)) => stack.push((i + 1, j + 1, false)),
                Some(Piece::Hole { .. }) => stack.push((i + 1, j, true)),
                None => {}
            },
            Some(PTok::Lit(c)) => match pieces.get(j) {
                Some(Piece::Lit(d)) if d == c => stack.push((i + 1, j + 1, false)),
                Some(Piece::Hole { .. }) => {
                    let stop = hole.unwrap_or_default();
                    let blocked = (*c == b'/' && stop[SLASH]) || (*c == b':' && stop[COLON]);
                    if !blocked {
                        stack.push((i + 1, j, true));
                    }
                }
                _ => {}
            },
            None => {}
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PTok {
    Star,
    One,
    Lit(u8),
}

/// A policy resource pattern, parsed once to be matched against many templates.
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    tokens: Vec<PTok>,
    /// The pattern's text, which the ranges below index.
    text: Box<str>,
    /// The service field and literal start of the resource part, when the service is literal.
    quick: Option<(Range<usize>, Range<usize>)>,
    /// The region and account fields of a whole ARN without variables in them.
    fields: Option<(Range<usize>, Range<usize>)>,
    /// The partition field is set (a placeholder holds any non-empty text).
    partition_set: bool,
    /// The index of the first token of the resource part (after the fifth `:`). The tokens
    /// before it are the first five fields of a whole ARN, where a `*` stays in its field
    /// (IAM matches them one by one); a shorter pattern (`*`) is matched as a whole.
    resource_from: Option<usize>,
}

impl ResourcePattern {
    pub fn new(pattern: &str) -> ResourcePattern {
        // One pass: the tokens (`*`, `?`, policy variables for any text, the escapes `${*}`,
        // `${?}`, `${$}` as literal characters, literal bytes), the index of the token after the fifth `:` token, and where
        // the six fields of the text start (a variable's `:` splits too, as in
        // `quick_fields`).
        let bytes = pattern.as_bytes();
        let mut tokens = Vec::with_capacity(bytes.len());
        let mut resource_from = None;
        let mut colon_tokens = 0;
        let mut starts = [0; 6];
        let mut count = 1;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'*' => tokens.push(PTok::Star),
                b'?' => tokens.push(PTok::One),
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    if let Some(end) = pattern[i..].find('}') {
                        for (k, _) in pattern[i..i + end].match_indices(':') {
                            if count < 6 {
                                starts[count] = i + k + 1;
                                count += 1;
                            }
                        }
                        tokens.push(variable_token(&pattern[i + 2..i + end]));
                        i += end + 1;
                        continue;
                    }
                    tokens.push(PTok::Lit(b'$'));
                }
                b':' => {
                    if count < 6 {
                        starts[count] = i + 1;
                        count += 1;
                    }
                    tokens.push(PTok::Lit(b':'));
                    colon_tokens += 1;
                    if colon_tokens == 5 {
                        resource_from = Some(tokens.len());
                    }
                }
                b => tokens.push(PTok::Lit(b)),
            }
            i += 1;
        }
        let whole = count == 6;
        let field = |k: usize| starts[k]..starts.get(k + 1).map_or(pattern.len(), |s| s - 1);
        let special = |b: &u8| matches!(b, b'*' | b'?' | b'$');
        let quick = (whole && !bytes[field(2)].iter().any(special)).then(|| {
            let end = bytes[starts[5]..]
                .iter()
                .position(special)
                .map_or(bytes.len(), |e| starts[5] + e);
            (field(2), starts[5]..end)
        });
        let fields =
            (whole && !bytes[field(3)].contains(&b'$') && !bytes[field(4)].contains(&b'$'))
                .then(|| (field(3), field(4)));
        ResourcePattern {
            partition_set: whole && !field(1).is_empty(),
            tokens,
            text: pattern.into(),
            quick,
            fields,
            resource_from,
        }
    }

    /// True if it matches the string `*` (what the request names for an action that takes no
    /// resource): `*`, `**`, `?`, `*?*`, `${*}`; not `arn:aws:s3:::*`.
    pub fn matches_star(&self) -> bool {
        let mut rest = self.tokens.iter().filter(|t| **t != PTok::Star);
        matches!(
            (rest.next(), rest.next()),
            (None, _) | (Some(PTok::One | PTok::Lit(b'*')), None)
        )
    }
}

/// The token of a policy variable `${inner}`: an escape (`${*}`, `${?}`, `${$}`) is its
/// literal character; any other variable stands for any text.
fn variable_token(inner: &str) -> PTok {
    match inner {
        "*" | "?" | "$" => PTok::Lit(inner.as_bytes()[0]),
        _ => PTok::Star,
    }
}

/// True if `key` fits the key `template`, case-insensitively: a `${Name}` or `<name>` part, or
/// the global keys' `/tag-key` suffix, stands for one or more characters.
pub fn key_fits(template: &str, key: &str) -> bool {
    let (t, k) = (template.as_bytes(), key.as_bytes());
    // Quick no: a template that ends in a literal character (most keys are no template at
    // all) fits only keys that end in that character.
    if let (Some(last), Some(key_last)) = (t.last(), k.last())
        && !matches!(last, b'}' | b'>')
        && !t.ends_with(b"/tag-key")
        && !last.eq_ignore_ascii_case(key_last)
    {
        return false;
    }
    fn go(mut t: &[u8], mut k: &[u8]) -> bool {
        loop {
            match t.first() {
                None => return k.is_empty(),
                Some(b'$') if t.get(1) == Some(&b'{') => return hole(t, k, b'}'),
                Some(b'<') => return hole(t, k, b'>'),
                Some(b'/') if t[1..].eq_ignore_ascii_case(b"tag-key") => {
                    return k.first() == Some(&b'/') && k.len() > 1;
                }
                Some(c) => {
                    if !k.first().is_some_and(|d| c.eq_ignore_ascii_case(d)) {
                        return false;
                    }
                    (t, k) = (&t[1..], &k[1..]);
                }
            }
        }
    }
    fn hole(t: &[u8], k: &[u8], close: u8) -> bool {
        let Some(end) = t.iter().position(|&b| b == close) else {
            return false;
        };
        let rest = &t[end + 1..];
        (1..=k.len()).any(|n| go(rest, &k[n..]))
    }
    go(t, k)
}

/// True if `s` has a wildcard, `*` or `?` (a byte scan: no character decoding).
pub fn has_wildcard(s: &str) -> bool {
    s.bytes().any(|b| b == b'*' || b == b'?')
}

/// True if `name` matches the glob `pattern` (`*`, `?`), case-insensitively (action names).
pub fn glob_ci(pattern: &str, name: &str) -> bool {
    glob(pattern, name, true)
}

/// [`glob_ci`] with `pattern` read once, for matching many names: the common `Get*` (a
/// literal and one final `*`) is a comparison with the lowercased literal, which most names
/// fail at their first byte.
pub fn glob_ci_matcher(pattern: &str) -> impl Fn(&str) -> bool + '_ {
    let prefix = pattern
        .strip_suffix('*')
        .filter(|p| !has_wildcard(p))
        .map(str::to_ascii_lowercase);
    move |name| match &prefix {
        Some(p) => name.as_bytes().get(..p.len()).is_some_and(|start| {
            start
                .iter()
                .zip(p.as_bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        }),
        None => glob_ci(pattern, name),
    }
}

/// True if `text` matches the glob `pattern` (`*`, `?`), case-sensitively (resources).
pub fn glob_cs(pattern: &str, text: &str) -> bool {
    glob(pattern, text, false)
}

fn glob(pattern: &str, name: &str, ignore_case: bool) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let same = |a: &u8, b: &u8| {
        if ignore_case {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ni) = (0, 0);
    let mut back: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                back = Some((pi + 1, ni));
                pi += 1;
                continue;
            }
            Some(b'?') => {
                pi += 1;
                ni += 1;
                continue;
            }
            Some(c) if same(c, &n[ni]) => {
                pi += 1;
                ni += 1;
                continue;
            }
            _ => {}
        }
        match back {
            Some((after, at)) => {
                pi = after;
                ni = at + 1;
                back = Some((after, at + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";

    #[test]
    fn resource_patterns_against_types() {
        let s3 = [BUCKET, OBJECT];
        let bucket = ArnTemplate::new(BUCKET, &s3);
        let object = ArnTemplate::new(OBJECT, &s3);
        assert!(bucket.intersects("arn:aws:s3:::my-bucket"));
        assert!(bucket.intersects("arn:aws:s3:::my-*"));
        assert!(bucket.intersects("*"));
        assert!(bucket.intersects("arn:*:s3:::*"));
        assert!(
            !bucket.intersects("arn:aws:s3:::my-bucket/*"),
            "a / means an object"
        );
        assert!(object.intersects("arn:aws:s3:::my-bucket/*"));
        assert!(object.intersects("arn:aws:s3:::*"), "* covers b/k");
        assert!(!object.intersects("arn:aws:s3:::my-bucket"));
        assert!(
            !bucket.intersects("arn:aws:s3::123456789012:my-bucket"),
            "S3 ARNs have no account"
        );
        assert!(!bucket.intersects("arn:aws:S3:::my-bucket"), "service case");
        let role = ArnTemplate::new(ROLE, &[ROLE]);
        assert!(role.intersects("arn:aws:iam::123456789012:role/path/to/deployer"));
        assert!(role.intersects("arn:aws:iam::*:role/${aws:username}"));
        assert!(
            !role.intersects("arn:aws:iam:us-east-1:123456789012:role/x"),
            "IAM has no region"
        );
        assert!(!role.intersects("arn:aws:iam::123456789012:user/x"));
        assert!(
            !role.intersects("arn:aws:iam::123456789012:role/"),
            "a name has a character"
        );
        // The quick no on lengths and last characters.
        const TABLE: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        const BACKUP: &str = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/backup/${BackupName}";
        let backup = ArnTemplate::new(BACKUP, &[TABLE, BACKUP]);
        assert!(!backup.intersects("arn:aws:dynamodb:us-east-1:123456789012:table/Orders"));
        assert!(!backup.intersects("arn:aws:dynamodb:us-east-1:123456789012:table/T/backup/"));
        assert!(backup.intersects("arn:aws:dynamodb:us-east-1:123456789012:table/T/backup/b"));
        assert!(backup.intersects("arn:aws:dynamodb:us-east-1:123456789012:table/*"));
        assert!(
            !bucket.intersects("arn:aws:s3:::b/"),
            "ends in a literal / the name cannot hold"
        );
    }

    /// Every resource type of the catalog against patterns of many shapes (each template
    /// with its placeholders filled, cut short, widened with `*` and `?`, with / and : in the
    /// names): the answer without the search is the search's answer.
    #[test]
    fn settled_shapes_agree_with_the_search() {
        let c = crate::catalog::catalog();
        let (mut checked, mut matched) = (0, 0);
        for service in c.services() {
            let arns: Vec<&str> = service.resource_types().iter().map(|t| t.arn).collect();
            let mut patterns: Vec<String> = ["*", "arn:aws:*", "arn:*:*:*:*:*"]
                .map(String::from)
                .to_vec();
            for arn in &arns {
                let mut filled = String::new();
                let mut rest = *arn;
                while let Some(start) = rest.find("${") {
                    filled.push_str(&rest[..start]);
                    let end = rest[start..]
                        .find('}')
                        .map_or(rest.len(), |e| start + e + 1);
                    filled.push_str(match &rest[start..end] {
                        "${Partition}" => "aws",
                        "${Region}" => "us-east-1",
                        "${Account}" => "123456789012",
                        _ => "name",
                    });
                    rest = &rest[end..];
                }
                filled.push_str(rest);
                let cut = |n: usize| filled.get(..n).unwrap_or(&filled).to_string();
                patterns.extend([
                    format!("{filled}*"),
                    format!("{filled}/*"),
                    format!("{filled}:*"),
                    format!("{filled}?"),
                    filled.replace("name", "*"),
                    filled.replace("name", "a/b"),
                    filled.replace("name", "a:b"),
                    filled.replace("name", "?"),
                    filled.replace("name", ""),
                    filled.replace("name", "${aws:username}"),
                    filled.replacen("name", "*", 1),
                    cut(filled.len() / 2),
                    format!("{}*", cut(filled.len() * 2 / 3)),
                    filled,
                ]);
            }
            let patterns: Vec<ResourcePattern> =
                patterns.iter().map(|p| ResourcePattern::new(p)).collect();
            for arn in &arns {
                let template = ArnTemplate::new(arn, &arns);
                for pattern in &patterns {
                    let fast = template.intersects_with(pattern, true);
                    let searched = template.intersects_with(pattern, false);
                    assert_eq!(fast, searched, "{:?} against {arn}", pattern.text);
                    checked += 1;
                    matched += usize::from(fast);
                }
            }
        }
        assert!(checked > 100_000, "{checked} pairs");
        assert!(matched > 10_000, "{matched} matches");
    }

    #[test]
    fn key_templates() {
        assert!(key_fits("aws:RequestTag/${TagKey}", "aws:requesttag/team"));
        assert!(!key_fits("aws:RequestTag/${TagKey}", "aws:RequestTag"));
        assert!(!key_fits("aws:RequestTag/${TagKey}", "aws:RequestTag/"));
        assert!(key_fits(
            "aws:PrincipalTag/tag-key",
            "aws:PrincipalTag/cost-center"
        ));
        assert!(key_fits(
            "s3:ExistingObjectTag/<key>",
            "s3:ExistingObjectTag/k"
        ));
        assert!(key_fits(
            "token.actions.githubusercontent.com/${SubPath}:sub",
            "token.actions.githubusercontent.com/acme:sub"
        ));
        assert!(key_fits("aws:SourceIp", "AWS:SOURCEIP"));
        assert!(!key_fits("aws:SourceIp", "aws:SourceIpp"));
    }

    #[test]
    fn action_globs() {
        assert!(glob_ci("Get*", "GetObject"));
        assert!(glob_ci("get*", "GetObject"));
        assert!(glob_ci("*Object", "GetObject"));
        assert!(glob_ci("G?tObject", "GetObject"));
        assert!(!glob_ci("Gett*", "GetObject"));
        assert!(glob_ci("*", "GetObject"));
        assert!(!glob_ci("Get", "GetObject"));
        for (pattern, name) in [
            ("Get*", "GetObject"),
            ("get*", "GetObject"),
            ("GetObject*", "GetObject"),
            ("*", "GetObject"),
            ("G?t*", "GetObject"),
            ("*Object", "GetObject"),
            ("Gett*", "GetObject"),
            ("GetObjectX*", "GetObject"),
            ("Get", "GetObject"),
        ] {
            assert_eq!(
                glob_ci_matcher(pattern)(name),
                glob_ci(pattern, name),
                "{pattern} {name}"
            );
        }
    }
}
