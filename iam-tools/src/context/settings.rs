//! The server's settings of a run: which guardrails are relaxed, which policies count as
//! privileged, and the name of the all-pages bound's setting.

use crate::catalog::{GuardrailSpec, Rule};

/// The AWS-managed policies `privileged_policies` refuses to attach unless configured otherwise.
pub const DEFAULT_PRIVILEGED_POLICIES: [&str; 3] =
    ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

/// Where the operator sets the deny list of `privileged_policies` (the variable, the flag),
/// as refusals name it.
pub const PRIVILEGED_POLICIES_SETTING: &str =
    "IAM_MCP_PRIVILEGED_POLICIES or --privileged-policies";

/// The variable (and flag) that sets the all-pages bound, as notes and errors name it.
pub const ALL_PAGES_SETTING: &str = "IAM_MCP_ALL_PAGES_MAX_ITEMS or --all-pages-max-items";

/// A server's guardrail settings.
#[derive(Debug, Clone)]
pub struct Guardrails {
    relaxed: Vec<Rule>,
    /// Policy names (AWS-managed, any partition and path) or full ARNs.
    privileged: Vec<String>,
}

impl Default for Guardrails {
    fn default() -> Self {
        Guardrails {
            relaxed: Vec::new(),
            privileged: DEFAULT_PRIVILEGED_POLICIES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl Guardrails {
    pub fn new(relaxed: Vec<Rule>, privileged: Vec<String>) -> Self {
        let privileged = privileged
            .into_iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        Guardrails {
            relaxed,
            privileged,
        }
    }

    pub fn is_on(&self, rule: Rule) -> bool {
        !self.relaxed.contains(&rule)
    }

    /// The names of the rules of `specs` in force, for logs.
    pub fn on(&self, specs: &'static [GuardrailSpec]) -> Vec<&'static str> {
        specs
            .iter()
            .filter(|g| self.is_on(g.rule))
            .map(|g| g.name)
            .collect()
    }

    /// Whether `arn` is one of the AWS-managed policies of [`DEFAULT_PRIVILEGED_POLICIES`]
    /// (any partition and path): on the deny list because it grants (nearly) full control,
    /// not only because the operator listed it.
    pub fn is_built_in_privileged(arn: &str) -> bool {
        Guardrails::default().privileged_entry(arn).is_some()
    }

    /// The deny-list entry `arn` matches: a name matches an AWS-managed policy of that name
    /// (`arn:<any partition>:iam::aws:policy/<any path>/NAME`, case-insensitive); an ARN
    /// matches itself in any partition.
    pub fn privileged_entry(&self, arn: &str) -> Option<&str> {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [prefix, _partition, service, region, account, resource] = parts[..] else {
            return None;
        };
        self.privileged.iter().map(String::as_str).find(|entry| {
            if entry.starts_with("arn:") {
                let e: Vec<&str> = entry.splitn(6, ':').collect();
                e.len() == 6
                    && [e[0], e[2], e[3], e[4], e[5]]
                        == [prefix, service, region, account, resource]
            } else {
                prefix == "arn"
                    && service == "iam"
                    && account == "aws"
                    && resource.strip_prefix("policy/").is_some_and(|r| {
                        r.rsplit('/')
                            .next()
                            .is_some_and(|n| n.eq_ignore_ascii_case(entry))
                    })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deny_list_matches_names_in_any_partition_and_arns() {
        let g = Guardrails::default();
        assert_eq!(
            g.privileged_entry("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some("AdministratorAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws-us-gov:iam::aws:policy/PowerUserAccess"),
            Some("PowerUserAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws-cn:iam::aws:policy/IAMFullAccess"),
            Some("IAMFullAccess")
        );
        assert_eq!(
            g.privileged_entry("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            None
        );
        // A customer policy of the same name is not the AWS one.
        assert_eq!(
            g.privileged_entry("arn:aws:iam::123456789012:policy/AdministratorAccess"),
            None
        );
        assert!(Guardrails::is_built_in_privileged(
            "arn:aws-cn:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!Guardrails::is_built_in_privileged(
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ));
        let custom = Guardrails::new(
            vec![],
            vec![
                "arn:aws:iam::123456789012:policy/admin".into(),
                " job-function/x ".into(),
            ],
        );
        assert_eq!(
            custom.privileged_entry("arn:aws-cn:iam::123456789012:policy/admin"),
            Some("arn:aws:iam::123456789012:policy/admin")
        );
        assert_eq!(
            custom.privileged_entry("arn:aws:iam::aws:policy/AdministratorAccess"),
            None
        );
    }
}
