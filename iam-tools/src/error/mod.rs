//! Errors an assistant can act on: what happened, what to do, and AWS's own code, message
//! and request id. Every failure of a tool call becomes one of these and reaches the model
//! as an `isError` result, never as a masked protocol error.

mod aws;
mod credentials;
mod hints;
mod tool_error;

pub(crate) use aws::error_in_body;
pub(crate) use credentials::{REGION_VARIABLES, aws_setting};
pub use tool_error::{ErrorKind, ToolError};

/// What every fallible step of a tool call gives back, boxed: an operation's output, a
/// handler's result, a runtime function's output.
pub type ToolFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ToolError>> + Send + 'a>>;

#[cfg(test)]
mod tests {
    use super::aws::*;
    use super::credentials::*;
    use super::hints::*;
    use super::tool_error::*;
    use crate::catalog::OperationSpec;
    use aws_sdk_iam::error::SdkError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

    #[test]
    fn not_found_names_the_entity() {
        assert_eq!(
            entity_of("The user with name bob cannot be found."),
            Some(("User".into(), "bob".into()))
        );
        let op = OperationSpec {
            name: "GetUser",
            action: "iam:GetUser",
            access: crate::catalog::Access::Read,
            paged: false,
        };
        let e = service_error(
            &op,
            "NoSuchEntity",
            "The user with name john.doe cannot be found.",
        );
        assert!(
            e.render().starts_with("User 'john.doe' not found."),
            "{}",
            e.render()
        );
    }

    #[test]
    fn access_denied_names_the_action() {
        let op = OperationSpec {
            name: "CreateUser",
            action: "iam:CreateUser",
            access: crate::catalog::Access::Write,
            paged: false,
        };
        let e = service_error(
            &op,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows it",
        );
        let text = e.render();
        assert!(text.starts_with("User lacks permission: iam:CreateUser\nRequired permissions: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob"), "{text}");
    }

    const MOTO_500: &str = "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n";

    fn op(name: &'static str, action: &'static str) -> &'static OperationSpec {
        Box::leak(Box::new(OperationSpec {
            name,
            action,
            access: crate::catalog::Access::Write,
            paged: false,
        }))
    }

    fn sdk_error(
        status: u16,
        body: &str,
    ) -> SdkError<
        aws_sdk_iam::operation::put_user_permissions_boundary::PutUserPermissionsBoundaryError,
        HttpResponse,
    > {
        let meta = aws_smithy_types::error::ErrorMetadata::builder().build();
        let raw = HttpResponse::new(
            status.try_into().unwrap(),
            aws_smithy_types::body::SdkBody::from(body.to_string()),
        );
        SdkError::service_error(aws_sdk_iam::operation::put_user_permissions_boundary::PutUserPermissionsBoundaryError::generic(meta), raw)
    }

    #[test]
    fn not_found_reads_aws_and_emulator_messages() {
        assert_eq!(
            entity_of("The role with name app cannot be found."),
            Some(("Role".into(), "app".into()))
        );
        assert_eq!(
            entity_of("Policy arn:aws:iam::123456789012:policy/x was not found."),
            Some(("Policy".into(), "arn:aws:iam::123456789012:policy/x".into()))
        );
        assert_eq!(
            entity_of("Role ghost not found"),
            Some(("Role".into(), "ghost".into()))
        );
        assert_eq!(
            entity_of("Instance profile web not found"),
            Some(("Instance profile".into(), "web".into()))
        );
        assert_eq!(
            entity_of(
                "Policy arn:aws:iam::aws:policy/ReadOnlyAccess does not exist or is not attachable."
            ),
            Some((
                "Policy".into(),
                "arn:aws:iam::aws:policy/ReadOnlyAccess".into()
            ))
        );
        assert_eq!(entity_of("Policy version not found"), None);
        assert_eq!(entity_of("Policy not found"), None);
        assert_eq!(entity_of("Login profile for bob not found"), None);
        let e = service_error(
            op("GetRole", "iam:GetRole"),
            "NoSuchEntity",
            "Role ghost not found",
        );
        assert_eq!(
            e.render(),
            "Role 'ghost' not found. (Role ghost not found)\nWhat to do: Check the role name (IAM names are case-sensitive) with list_roles."
        );
    }

    #[test]
    fn delete_conflict_of_a_force_tool_suggests_force() {
        let mut e = service_error(
            op("DeleteUser", "iam:DeleteUser"),
            "DeleteConflict",
            "Cannot delete entity, must delete access keys first.",
        );
        e.code = Some("DeleteConflict".into());
        let text = e.offering_force("delete_user", "user").render();
        assert!(text.starts_with("Cannot delete yet: Cannot delete entity, must delete access keys first.\nWhat to do: Tell the user"), "{text}");
        assert!(
            text.contains("call delete_user again with `force: true`"),
            "{text}"
        );
        assert!(text.contains("`force: true, dry_run: true`"), "{text}");
        let other = service_error(
            op("DeletePolicyVersion", "iam:DeletePolicyVersion"),
            "DeleteConflict",
            "Cannot delete the default version.",
        );
        assert!(!other.render().contains("force"), "{}", other.render());
    }

    #[test]
    fn an_html_500_gives_the_status_and_a_clean_excerpt() {
        assert_eq!(
            excerpt(MOTO_500.as_bytes()).as_deref(),
            Some(
                "500 Internal Server Error. The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."
            )
        );
        assert_eq!(excerpt(b"<html><head><style>p{color:red}</style><script>var x = '<b>';</script></head><body>Bad &amp; gone</body></html>").as_deref(), Some("Bad & gone"));
        assert_eq!(excerpt(b"  \n "), None);
        let long = "x".repeat(1000);
        assert_eq!(
            excerpt(long.as_bytes()).unwrap().chars().count(),
            EXCERPT_CHARS + 1
        );

        let boundary = op(
            "PutUserPermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
        );
        let e = codeless_answer(
            boundary,
            Some(500),
            MOTO_500.as_bytes(),
            None,
            Some("http://127.0.0.1:5000".into()),
        );
        assert_eq!(
            e.render(),
            "The IAM endpoint http://127.0.0.1:5000 failed with HTTP status 500 (Internal Server Error) on iam:PutUserPermissionsBoundary \
             (after the SDK's retries), and sent no AWS error code.\n\
             Its answer: \"500 Internal Server Error. The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application.\"\n\
             What to do: Retry in a while. If this call keeps failing while others work, the endpoint may not support \
             iam:PutUserPermissionsBoundary (an IAM emulator or a proxy set in AWS_ENDPOINT_URL): check its logs, or run the server against AWS IAM."
        );
        let e = codeless_answer(boundary, Some(403), b"", None, None);
        assert!(e.render().starts_with("IAM answered iam:PutUserPermissionsBoundary with HTTP status 403 (Forbidden) and no AWS error code. Its answer had no body.\nWhat to do: The answer is not an IAM error"), "{}", e.render());
    }

    #[test]
    fn an_sdk_error_without_a_code_is_not_unknown() {
        let boundary = op(
            "PutUserPermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
        );
        let text = ToolError::aws(boundary, sdk_error(500, MOTO_500)).render();
        assert!(!text.contains("Unknown"), "{text}");
        assert!(text.contains("failed with HTTP status 500 (Internal Server Error) on iam:PutUserPermissionsBoundary"), "{text}");
        assert!(
            text.contains("Its answer: \"500 Internal Server Error. The server encountered"),
            "{text}"
        );
        assert!(!text.contains('<'), "no HTML: {text}");
        assert!(
            text.ends_with("\n(action: iam:PutUserPermissionsBoundary)"),
            "{text}"
        );
    }

    #[test]
    fn an_error_body_the_sdk_cannot_parse_still_gives_its_code() {
        // moto's authorization errors wrap <Error> in <Errors>, which the SDK does not read.
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/reader is not authorized to perform: iam:PutUserPermissionsBoundary</Message><Type>Sender</Type></Error></Errors></ErrorResponse>";
        let e = ToolError::aws(
            op(
                "PutUserPermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ),
            sdk_error(403, body),
        );
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));
        let text = e.render();
        assert!(text.starts_with("User lacks permission: iam:PutUserPermissionsBoundary\nRequired permissions: iam:PutUserPermissionsBoundary on resource: *\n"), "{text}");
        assert!(text.contains("Grant the server's AWS identity (arn:aws:iam::123456789012:user/reader) iam:PutUserPermissionsBoundary"), "{text}");
    }

    #[test]
    fn a_missing_legacy_sso_token_file_is_recognised_on_any_platform() {
        assert!(is_sso_cache_read(
            "failed to read `/home/a/.aws/sso/cache/a517.json`"
        ));
        assert!(is_sso_cache_read(
            "failed to read `C:\\Users\\a\\.aws\\sso\\cache\\a517.json`"
        ));
        assert!(!is_sso_cache_read("failed to read `/home/a/.aws/config`"));
        assert!(!is_sso_cache_read(
            "failed to write `/home/a/.aws/sso/cache/a517.json`"
        ));
    }

    #[test]
    fn an_expired_sso_session_says_how_to_log_in() {
        let e = ToolError::sso_login(
            SsoProblem::Expired,
            Some("dev"),
            "the SSO token has expired and cannot be refreshed",
        );
        assert_eq!(
            e.render(),
            "The AWS SSO (IAM Identity Center) session of profile 'dev' has expired, so the server has no AWS credentials. Nothing was sent to IAM.\n\
             What to do: Ask the user to run `aws sso login --profile dev` in a terminal, then retry this call (no restart needed). \
             (AWS SDK: the SSO token has expired and cannot be refreshed)"
        );
        assert!(
            ToolError::sso_login(SsoProblem::NotLoggedIn, None, "d")
                .render()
                .contains("run `aws sso login` in a terminal")
        );
    }
}
