//! Errors that happen before AWS answers: no credentials, no endpoint.

mod common;

use common::{Server, TempDir};
use serde_json::json;

fn env_without_credentials(endpoint: &str, home: &TempDir) -> Vec<(String, String)> {
    vec![
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/aws-config".into()),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), "/nonexistent/aws-credentials".into()),
        ("HOME".into(), home.path().display().to_string()),
        ("AWS_ENDPOINT_URL".into(), endpoint.into()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_give_the_brief_s_message() {
    let home = TempDir::new("home");
    let mut env = env_without_credentials("http://127.0.0.1:9", &home);
    env.retain(|(k, _)| k != "AWS_ACCESS_KEY_ID");
    let server = Server::start_env(&[], env).await;
    let text = server.err("list_users", json!({})).await;
    assert!(
        text.starts_with(
            "Unable to locate credentials. Configure AWS credentials using:\n\
             - AWS_PROFILE environment variable\n\
             - AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n\
             - IAM role (when running on AWS)"
        ),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_named() {
    let home = TempDir::new("home");
    let mut env = env_without_credentials("http://127.0.0.1:9", &home);
    env.push(("AWS_ACCESS_KEY_ID".into(), "testing".into()));
    env.push(("AWS_SECRET_ACCESS_KEY".into(), "testing".into()));
    let server = Server::start_env(&[], env).await;
    let text = server.err("get_user", json!({"user_name": "bob"})).await;
    assert!(text.contains("could not reach the IAM endpoint"), "{text}");
    assert!(text.contains("127.0.0.1:9"), "the endpoint is named: {text}");
    server.stop().await;
}
