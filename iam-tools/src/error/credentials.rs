//! The credential chain's failures (nothing was sent to IAM), each as what the user can do:
//! a profile named in AWS_PROFILE that is not defined (and the ones that are), an SSO
//! session to log in to again, no credentials at all (the instance metadata service
//! refusing included), or a profile whose credentials failed to load. Never the SDK's
//! `Debug` dump.

use super::hints::sso_login_command;
use super::tool_error::{ErrorKind, ToolError};
use aws_credential_types::provider::error::CredentialsError;
use std::error::Error;

/// The most of the SDK's own words a credentials message quotes.
const DETAIL_CHARS: usize = 160;

/// Where the server's AWS Region is set, first first.
pub(crate) const REGION_VARIABLES: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// AWS setting `name` from the environment, trimmed; None when it is unset or blank (an MCP
/// client's empty settings field), which the server's SDK config and its messages both
/// treat as unset.
pub(crate) fn aws_setting(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl ToolError {
    /// The server's credentials come from an AWS SSO (IAM Identity Center) profile whose
    /// cached token has expired (or was never created): only the user can log in again.
    pub(super) fn sso_login(problem: SsoProblem, profile: Option<&str>, detail: &str) -> Self {
        let profile = profile.filter(|p| !p.is_empty());
        let profile_text = profile
            .map(|p| format!(" of profile '{p}'"))
            .unwrap_or_default();
        let what = match problem {
            SsoProblem::Expired => {
                format!("The AWS SSO (IAM Identity Center) session{profile_text} has expired")
            }
            SsoProblem::NotLoggedIn => format!(
                "There is no AWS SSO (IAM Identity Center) session{profile_text} on this machine"
            ),
        };
        Self::new(ErrorKind::Credentials, format!("{what}, so the server has no AWS credentials. Nothing was sent to IAM."))
            .with_hint(format!(
                "Ask the user to run `{}` in a terminal, then retry this call (no restart needed). (AWS SDK: {detail})",
                sso_login_command(profile)
            ))
    }
}

/// Why SSO credentials could not be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SsoProblem {
    /// The cached token is past its expiry and cannot be refreshed.
    Expired,
    /// No cached token: `aws sso login` was never run (or its cache was removed).
    NotLoggedIn,
}

/// The SSO problem in an error's chain, with aws-config's own words for it (its innermost
/// error that says so). aws-config's SSO token provider errors are private types; their
/// text is what can be matched. A profile with an `sso_session`: "the SSO token has expired
/// and cannot be refreshed", "failed to load the cached SSO token". The older form (the
/// start URL in the profile): "failed to read `~/.aws/sso/cache/<sha1>.json`" when there is
/// no token, and an expired token is sent as it is, so the portal's UnauthorizedException.
pub(super) fn sso_problem(err: &(dyn std::error::Error + 'static)) -> Option<(SsoProblem, String)> {
    let mut found = None;
    for e in chain(err) {
        let text = e.to_string();
        let with_cause = || {
            e.source()
                .map(|cause| format!("{text}: {cause}"))
                .unwrap_or_else(|| text.clone())
        };
        if text.contains("SSO token has expired") {
            found = Some((SsoProblem::Expired, text.clone()));
        } else if text.contains("failed to load the cached SSO token") || is_sso_cache_read(&text) {
            found = Some((SsoProblem::NotLoggedIn, with_cause()));
        } else if e
            .downcast_ref::<aws_sdk_sso::operation::get_role_credentials::GetRoleCredentialsError>()
            .is_some_and(|e| e.is_unauthorized_exception())
        {
            found = Some((
                SsoProblem::Expired,
                format!("the SSO portal refused the cached token: {text}"),
            ));
        }
    }
    found
}

/// aws-config's "failed to read `<home>/.aws/sso/cache/<sha1>.json`" (any path separator).
pub(super) fn is_sso_cache_read(text: &str) -> bool {
    text.starts_with("failed to read `") && text.replace('\\', "/").contains("/sso/cache/")
}

/// The credential chain's failure in `err`, as the user can act on it; None when `err` is
/// not one (the request reached, or failed to reach, IAM itself).
pub(super) fn credentials_failure(err: &(dyn Error + 'static)) -> Option<ToolError> {
    let credentials = find::<CredentialsError>(err)?;
    let profile = aws_setting("AWS_PROFILE");
    if let Some((problem, reason)) = sso_problem(err) {
        return Some(ToolError::sso_login(problem, profile.as_deref(), &reason));
    }
    if let Some(profile) = &profile
        && let Some(files) = ProfileFiles::read()
        && !files.defined.iter().any(|p| p == profile)
    {
        return Some(files.undefined(profile));
    }
    if find::<aws_config::imds::client::error::ImdsError>(err).is_some() {
        return Some(ToolError::no_credentials(Some(
            "The instance metadata service refused too (HTTP 403); off EC2, AWS_EC2_METADATA_DISABLED=true skips it.",
        )));
    }
    match credentials {
        CredentialsError::CredentialsNotLoaded(_) => Some(ToolError::no_credentials(None)),
        _ => {
            let whose = profile
                .map(|p| format!("profile `{p}` (AWS_PROFILE)"))
                .unwrap_or_else(|| "the default profile".into());
            Some(
                ToolError::new(
                    ErrorKind::Credentials,
                    format!(
                        "The AWS credentials of {whose} could not be loaded: {}. Nothing was sent to IAM.",
                        causes(credentials)
                    ),
                )
                .with_hint(
                    "Check that profile's settings in ~/.aws/config (`aws configure list` shows what the AWS CLI finds), or set credentials in the MCP client's `env` for this server, then restart it.",
                ),
            )
        }
    }
}

/// `err` and its causes, outermost first.
fn chain<'a>(err: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(err), |&e| e.source())
}

/// The first error of type `T` in `err`'s chain.
fn find<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

/// What an error and its causes say, each once, without the SDK's `Debug` dump, cut at
/// [`DETAIL_CHARS`].
pub(super) fn causes(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for text in chain(err).map(|e| e.to_string()) {
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    let text = parts.join(": ");
    match text.char_indices().nth(DETAIL_CHARS) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// The profiles the AWS config and credentials files define, as aws-config finds them
/// (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else `~/.aws/config` and
/// `~/.aws/credentials`).
struct ProfileFiles {
    /// How the files are named in messages.
    names: String,
    defined: Vec<String>,
}

impl ProfileFiles {
    /// None when the home directory is unknown and no file is named by a variable.
    fn read() -> Option<ProfileFiles> {
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
        let path = |var: &str, default: &str| -> Option<(String, std::path::PathBuf)> {
            match std::env::var(var).ok().filter(|v| !v.is_empty()) {
                Some(v) => {
                    let expanded = match (v.strip_prefix("~/"), &home) {
                        (Some(rest), Some(home)) => std::path::Path::new(home).join(rest),
                        _ => std::path::PathBuf::from(&v),
                    };
                    Some((v, expanded))
                }
                None => Some((
                    format!("~/.aws/{default}"),
                    std::path::Path::new(home.as_ref()?)
                        .join(".aws")
                        .join(default),
                )),
            }
        };
        let config = path("AWS_CONFIG_FILE", "config")?;
        let credentials = path("AWS_SHARED_CREDENTIALS_FILE", "credentials")?;
        let mut defined = Vec::new();
        for (text, in_config) in [
            (std::fs::read_to_string(&config.1).unwrap_or_default(), true),
            (
                std::fs::read_to_string(&credentials.1).unwrap_or_default(),
                false,
            ),
        ] {
            for name in profile_names(&text, in_config) {
                if !defined.contains(&name) {
                    defined.push(name);
                }
            }
        }
        Some(ProfileFiles {
            names: format!("{} or {}", config.0, credentials.0),
            defined,
        })
    }

    /// AWS_PROFILE names a profile the files do not define.
    fn undefined(&self, profile: &str) -> ToolError {
        let defined = if self.defined.is_empty() {
            "no profile is defined there".to_string()
        } else {
            format!("defined: {}", self.defined.join(", "))
        };
        ToolError::new(
            ErrorKind::Credentials,
            format!(
                "AWS_PROFILE is `{profile}`, but {} defines no profile of that name ({defined}), so the server has no AWS credentials. Nothing was sent to IAM.",
                self.names
            ),
        )
        .with_hint(format!(
            "Set AWS_PROFILE to a defined profile in the MCP client's `env` for this server (or create it: `aws configure --profile {profile}`), then restart the server."
        ))
    }
}

/// The profiles an AWS config file (`[default]`, `[profile NAME]`) or credentials file
/// (`[NAME]`) defines, in order.
fn profile_names(text: &str, config: bool) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let header = line.trim().strip_prefix('[')?.split(']').next()?.trim();
            if !config {
                return Some(header.to_string());
            }
            if header == "default" {
                return Some(header.to_string());
            }
            header
                .strip_prefix("profile")
                .filter(|rest| rest.starts_with(char::is_whitespace))
                .map(|rest| rest.trim().to_string())
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::profile_names;

    #[test]
    fn profiles_are_read_as_aws_config_names_them() {
        let config = "[default]\nregion = us-east-1\n[profile dev]\n# [profile commented]\n[ profile  prod ]\n[sso-session corp]\n[services s]\n[profilex]\n";
        assert_eq!(profile_names(config, true), ["default", "dev", "prod"]);
        assert_eq!(
            profile_names("[dev]\naws_access_key_id = A\n[ci]\n", false),
            ["dev", "ci"]
        );
    }
}
