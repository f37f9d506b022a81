//! One test per error class: the exact text an assistant reads when a tool call fails, from
//! the real binary over stdio. AWS is moto on 127.0.0.1 (its own answers wherever moto gives
//! them; the front door injects the ones moto never sends); nothing leaves 127.0.0.1.

use crate::common;

use common::front::Front;
use common::{Moto, Server, TempDir, allow, server_env};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An error text cut where `ToolError::render` joins its parts: the message, the hint after
/// "What to do: ", and the details line "(AWS error code: ..., action: ..., request id: ...)".
#[derive(Debug)]
struct Parts {
    message: String,
    hint: String,
    details: String,
}

fn parts(text: &str) -> Parts {
    let (body, details) = match text.rsplit_once("\n(") {
        Some((body, details)) if details.ends_with(')') => (body, format!("({details}")),
        _ => (text, String::new()),
    };
    let (message, hint) = body.split_once("\nWhat to do: ").unwrap_or((body, ""));
    Parts {
        message: message.to_string(),
        hint: hint.to_string(),
        details,
    }
}

/// Asserts the details line: AWS's code, the IAM action and a request id.
fn assert_details(parts: &Parts, code: &str, action: &str) {
    let prefix = format!("(AWS error code: {code}, action: {action}, request id: ");
    assert!(
        parts.details.starts_with(&prefix) && parts.details.len() > prefix.len() + 1,
        "{parts:?}"
    );
}

fn env_without_credentials(endpoint: &str, home: &TempDir) -> Vec<(String, String)> {
    vec![
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ("AWS_CONFIG_FILE".into(), "/nonexistent/aws-config".into()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/aws-credentials".into(),
        ),
        ("HOME".into(), home.path().display().to_string()),
        ("AWS_ENDPOINT_URL".into(), endpoint.into()),
    ]
}

/// The server's environment with an IAM user's access key instead of moto's default one.
fn env_with_key(endpoint: &str, access_key_id: &str, secret: &str) -> Vec<(String, String)> {
    let mut env = server_env(Some(endpoint));
    env.retain(|(k, _)| k != "AWS_ACCESS_KEY_ID" && k != "AWS_SECRET_ACCESS_KEY");
    env.push(("AWS_ACCESS_KEY_ID".into(), access_key_id.into()));
    env.push(("AWS_SECRET_ACCESS_KEY".into(), secret.into()));
    env
}

// ---------------------------------------------------------------------------------------
// 1. Credentials and reachability
// ---------------------------------------------------------------------------------------

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

/// A fake AWS SSO portal on 127.0.0.1: answers `GetRoleCredentials` (GET
/// /federation/credentials) with moto's test key when the bearer token starts with `fresh`,
/// and as AWS does for an expired or unknown token (401 UnauthorizedException) otherwise;
/// keeps each request's first line and bearer token. Any other request (an SSO OIDC token
/// refresh) is kept and answered 400.
async fn sso_portal() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 8192];
                while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                }
                let head = String::from_utf8_lossy(&buffer).to_string();
                let line = head.lines().next().unwrap_or_default().to_string();
                let token = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("x-amz-sso_bearer_token:")
                            .then(|| l[23..].trim().to_string())
                    })
                    .unwrap_or_default();
                log.lock().unwrap().push(format!("{line} token={token}"));
                let (status, body) = if line.starts_with("GET /federation/credentials")
                    && !token.starts_with("fresh")
                {
                    (
                        "401 Unauthorized\r\nx-amzn-ErrorType: UnauthorizedException",
                        json!({"message": "Session token not found or invalid"}).to_string(),
                    )
                } else if line.starts_with("GET /federation/credentials") {
                    let expiration = (std::time::SystemTime::now()
                        + std::time::Duration::from_secs(3600))
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis();
                    let body = json!({"roleCredentials": {"accessKeyId": "testing", "secretAccessKey": "testing", "sessionToken": "sso-session", "expiration": expiration}});
                    ("200 OK", body.to_string())
                } else {
                    (
                        "400 Bad Request",
                        json!({"error": "invalid_request"}).to_string(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    (address, seen)
}

/// A server whose only credentials are AWS profile `profile` of `config` (an SSO profile),
/// with a home of its own, IAM (moto behind the front door, which records what reaches it)
/// and the SSO portal on 127.0.0.1. `cache_file` is the token file aws-config reads.
struct SsoWorld {
    _moto: Moto,
    front: Front,
    portal_requests: Arc<Mutex<Vec<String>>>,
    _home: TempDir,
    cached: std::path::PathBuf,
    profile: String,
    server: Server,
}

impl SsoWorld {
    async fn start(config: &str, profile: &str, cache_file: &str) -> SsoWorld {
        let moto = Moto::start();
        let front = Front::start(&moto.endpoint()).await;
        let (portal, portal_requests) = sso_portal().await;
        let home = TempDir::new("home");
        let aws = home.path().join(".aws");
        std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
        std::fs::write(aws.join("config"), config).unwrap();
        let mut env = env_without_credentials(&front.endpoint(), &home);
        env.retain(|(k, _)| k != "AWS_CONFIG_FILE");
        env.extend([
            (
                "AWS_CONFIG_FILE".to_string(),
                aws.join("config").display().to_string(),
            ),
            ("AWS_PROFILE".into(), profile.into()),
            ("AWS_ENDPOINT_URL_SSO".into(), portal.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), portal),
        ]);
        let server = Server::start_env(&[], env).await;
        SsoWorld {
            _moto: moto,
            front,
            portal_requests,
            _home: home,
            cached: aws.join("sso/cache").join(cache_file),
            profile: profile.into(),
            server,
        }
    }

    /// What `aws sso login` leaves in the cache: a token valid until `expires_at`.
    fn log_in(&self, access_token: &str, expires_at: &str) {
        let token = json!({"accessToken": access_token, "expiresAt": expires_at, "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"});
        std::fs::write(&self.cached, token.to_string()).unwrap();
    }

    fn portal_requests(&self) -> Vec<String> {
        self.portal_requests.lock().unwrap().clone()
    }

    /// list_users, which fails for want of credentials: its message parts.
    async fn list_users_error(&self) -> Parts {
        let p = parts(&self.server.err("list_users", json!({})).await);
        assert_eq!(p.details, "(action: iam:ListUsers)");
        p
    }

    fn no_session_message(&self) -> String {
        format!(
            "There is no AWS SSO (IAM Identity Center) session of profile '{}' on this machine, so the server has no AWS credentials. \
             Nothing was sent to IAM.",
            self.profile
        )
    }

    fn expired_message(&self) -> String {
        format!(
            "The AWS SSO (IAM Identity Center) session of profile '{}' has expired, so the server has no AWS credentials. Nothing was sent to IAM.",
            self.profile
        )
    }

    fn log_in_hint(&self) -> String {
        format!(
            "Ask the user to run `aws sso login --profile {}` in a terminal, then retry this call (no restart needed).",
            self.profile
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_sso_session_says_to_log_in_again() {
    // Profile `dev` takes its credentials from the SSO session `corp-sso`, whose cached token
    // (~/.aws/sso/cache/<sha1("corp-sso")>.json) expired in 2020 and has no refresh token:
    // aws-config fails fast, with no network call.
    let world = SsoWorld::start(
        "[profile dev]\n\
         sso_session = corp-sso\n\
         sso_account_id = 123456789012\n\
         sso_role_name = ReadOnly\n\
         region = us-east-1\n\
         \n\
         [sso-session corp-sso]\n\
         sso_start_url = https://corp.awsapps.com/start\n\
         sso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n",
        "dev",
        // sha1("corp-sso"), as `printf corp-sso | sha1sum` prints it.
        "6f41fd3fbc69a076873a4656707fd9925e5c1f07.json",
    )
    .await;

    // Never logged in: no cached token at all.
    let p = world.list_users_error().await;
    assert_eq!(p.message, world.no_session_message());
    assert_eq!(
        p.hint,
        format!(
            "{} (AWS SDK: failed to load the cached SSO token)",
            world.log_in_hint()
        )
    );

    world.log_in("expired-token", "2020-01-01T00:00:00Z");
    let p = world.list_users_error().await;
    assert_eq!(p.message, world.expired_message());
    assert_eq!(
        p.hint,
        format!(
            "{} (AWS SDK: the SSO token has expired and cannot be refreshed)",
            world.log_in_hint()
        )
    );
    assert!(
        world.portal_requests().is_empty(),
        "no SSO call for an expired token: {:?}",
        world.portal_requests()
    );
    assert!(
        world.front.actions().is_empty(),
        "nothing reached IAM: {:?}",
        world.front.actions()
    );

    // What `aws sso login --profile dev` does: a fresh token in the cache. The same server,
    // not restarted, now gets role credentials from the portal and answers.
    world.log_in("fresh-token", "2099-01-01T00:00:00Z");
    let users = world.server.ok("list_users", json!({})).await;
    assert_eq!(users["Users"], json!([]));
    assert_eq!(
        world.portal_requests(),
        vec!["GET /federation/credentials?role_name=ReadOnly&account_id=123456789012 HTTP/1.1 token=fresh-token".to_string()]
    );
    assert_eq!(world.front.actions(), vec!["ListUsers".to_string()]);
    world.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_legacy_sso_profile_says_to_log_in_again() {
    // The older profile form: the start URL in the profile itself, no sso-session. aws-config
    // reads its token from ~/.aws/sso/cache/<sha1(start url)>.json and does not check the
    // expiry itself: an expired token is sent to the portal, which refuses it (401).
    let world = SsoWorld::start(
        "[profile legacy]\n\
         sso_start_url = https://corp.awsapps.com/start\n\
         sso_region = us-east-1\n\
         sso_account_id = 123456789012\n\
         sso_role_name = ReadOnly\n\
         region = us-east-1\n",
        "legacy",
        // sha1("https://corp.awsapps.com/start"), as `printf <url> | sha1sum` prints it.
        "a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json",
    )
    .await;

    // Never logged in: no cached token.
    let p = world.list_users_error().await;
    assert_eq!(p.message, world.no_session_message());
    assert!(p.hint.starts_with(&world.log_in_hint()), "{}", p.hint);
    assert!(
        world.portal_requests().is_empty(),
        "no token, no SSO call: {:?}",
        world.portal_requests()
    );

    // Logged in once, long ago: the portal refuses the token.
    world.log_in("old-token", "2020-01-01T00:00:00Z");
    let p = world.list_users_error().await;
    assert_eq!(p.message, world.expired_message());
    assert!(p.hint.starts_with(&world.log_in_hint()), "{}", p.hint);
    assert!(
        p.hint.contains("Session token not found or invalid"),
        "the portal's own words: {}",
        p.hint
    );
    assert_eq!(
        world.portal_requests(),
        vec!["GET /federation/credentials?role_name=ReadOnly&account_id=123456789012 HTTP/1.1 token=old-token".to_string()]
    );
    assert!(
        world.front.actions().is_empty(),
        "nothing reached IAM: {:?}",
        world.front.actions()
    );

    // After `aws sso login --profile legacy`, the same server answers.
    world.log_in("fresh-token", "2099-01-01T00:00:00Z");
    let users = world.server.ok("list_users", json!({})).await;
    assert_eq!(users["Users"], json!([]));
    assert_eq!(world.front.actions(), vec!["ListUsers".to_string()]);
    world.server.stop().await;
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
    assert!(
        text.contains("127.0.0.1:9"),
        "the endpoint is named: {text}"
    );
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// 2. AccessDenied, from moto's own authorization
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_permission_names_the_action_and_how_to_grant_it() {
    // moto checks signatures and the caller's IAM policies once it has answered
    // INITIAL_NO_AUTH_ACTION_COUNT requests: here the 3 set-up calls below.
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let sdk = moto.sdk();
    sdk.create_user().user_name("reader").send().await.unwrap();
    let read_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]});
    sdk.put_user_policy()
        .user_name("reader")
        .policy_name("read")
        .policy_document(read_only.to_string())
        .send()
        .await
        .unwrap();
    let key = sdk
        .create_access_key()
        .user_name("reader")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    let server = Server::start_env(
        &["--allow-write"],
        env_with_key(
            &moto.endpoint(),
            key.access_key_id(),
            key.secret_access_key(),
        ),
    )
    .await;

    // The key works, and its reads are allowed...
    let users = server.ok("list_users", json!({})).await;
    assert_eq!(users["Users"][0]["UserName"], "reader");
    // ...but not a write.
    let text = server
        .err("create_user", json!({"user_name": "intruder"}))
        .await;
    let p = parts(&text);
    assert_eq!(
        p.message,
        "User lacks permission: iam:CreateUser\n\
         Required permissions: iam:CreateUser on resource: *\n\
         AWS said: User: arn:aws:iam::123456789012:user/reader is not authorized to perform: iam:CreateUser"
    );
    assert_eq!(
        p.hint,
        "Grant the server's AWS identity (arn:aws:iam::123456789012:user/reader) iam:CreateUser (an administrator must change its IAM policy; \
         the assistant cannot); `iam-mcp-server permissions` prints the whole policy the server needs. Then retry."
    );
    assert_details(&p, "AccessDenied", "iam:CreateUser");
    // The action named is the one the manifest declares for create_user, in the policy
    // `permissions` prints.
    let policy: serde_json::Value =
        serde_json::from_str(&common::run_cli(&["--allow-write", "permissions"])).unwrap();
    assert!(common::policy_actions(&policy).contains(&"iam:CreateUser".to_string()));
    // Nothing was created.
    let missing = server
        .err("get_user", json!({"user_name": "intruder"}))
        .await;
    assert!(
        missing.starts_with("User 'intruder' not found in account 123456789012."),
        "{missing}"
    );
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// 3. Not found
// ---------------------------------------------------------------------------------------

/// When STS is out of reach the not-found answer comes without the account id, and the
/// server asks STS once, not on every not-found answer.
#[tokio::test(flavor = "multi_thread")]
async fn a_not_found_answer_does_not_wait_on_an_unreachable_sts() {
    let moto = Moto::start();
    let mut env = server_env(Some(&moto.endpoint()));
    env.push(("AWS_ENDPOINT_URL_STS".into(), "http://127.0.0.1:9".into()));
    let server = Server::start_env(&[], env).await;
    for _ in 0..3 {
        let text = server.err("get_user", json!({"user_name": "ghost"})).await;
        assert!(
            text.starts_with("User 'ghost' not found. (The user with name ghost cannot be found.)"),
            "{text}"
        );
    }
    let stderr = server.stop().await;
    // One GetCallerIdentity: the SDK's 3 attempts at it, each logged, none answered.
    let attempts: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("aws call") && l.contains("action=sts:GetCallerIdentity"))
        .collect();
    assert_eq!(attempts.len(), 3, "STS asked more than once:\n{stderr}");
    assert!(
        attempts.iter().all(|l| l.contains("outcome=no response")),
        "{attempts:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_user_role_or_policy_is_named() {
    let moto = Moto::start();
    let server = Server::start(&moto, &[]).await;

    let p = parts(&server.err("get_user", json!({"user_name": "ghost"})).await);
    // The account comes from sts:GetCallerIdentity, asked once.
    assert_eq!(
        p.message,
        "User 'ghost' not found in account 123456789012. (The user with name ghost cannot be found.)"
    );
    assert_eq!(
        p.hint,
        "Check the user name (IAM names are case-sensitive) with list_users."
    );
    // get_user sends GetUser and its list calls at once; GetUser's error is the one reported.
    assert_details(&p, "NoSuchEntity", "iam:GetUser");

    // moto words it "Role ghost not found" (AWS: "The role with name ghost cannot be found.").
    let p = parts(&server.err("get_role", json!({"role_name": "ghost"})).await);
    assert_eq!(
        p.message,
        "Role 'ghost' not found in account 123456789012. (Role ghost not found)"
    );
    assert_eq!(
        p.hint,
        "Check the role name (IAM names are case-sensitive) with list_roles."
    );
    assert_details(&p, "NoSuchEntity", "iam:GetRole");

    let arn = "arn:aws:iam::123456789012:policy/ghost";
    let p = parts(&server.err("get_policy", json!({"policy_arn": arn})).await);
    assert_eq!(
        p.message,
        format!("Policy '{arn}' not found in account 123456789012. (Policy {arn} not found)")
    );
    assert_eq!(
        p.hint,
        "Check the policy ARN (account id, path and name; AWS-managed policies are arn:aws:iam::aws:policy/NAME) with list_policies."
    );
    assert_details(&p, "NoSuchEntity", "iam:GetPolicy");
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// 4. DeleteConflict
// ---------------------------------------------------------------------------------------

const DELETE_USER_HINT: &str = "Tell the user what still blocks the deletion (above). If they want it gone anyway, call delete_user again \
     with `force: true`: the server then removes everything IAM requires gone first, then the user. Call it with \
     `force: true, dry_run: true` first to get that plan without changing anything.";

#[tokio::test(flavor = "multi_thread")]
async fn a_delete_conflict_says_what_blocks_and_offers_force() {
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    sdk.create_user().user_name("alice").send().await.unwrap();
    sdk.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let policy = common::create_policy(&sdk, "alice-extra").await;
    sdk.attach_user_policy()
        .user_name("alice")
        .policy_arn(&policy)
        .send()
        .await
        .unwrap();
    let server = Server::start_env(&["--allow-write"], server_env(Some(&front.endpoint()))).await;

    // moto refuses DeleteUser while the user has policies (its only DeleteUser conflict).
    let p = parts(
        &server
            .err("delete_user", json!({"user_name": "alice"}))
            .await,
    );
    assert_eq!(
        p.message,
        "Cannot delete yet: Cannot delete entity, must detach all policies first."
    );
    assert_eq!(p.hint, DELETE_USER_HINT);
    assert_details(&p, "DeleteConflict", "iam:DeleteUser");

    // moto deletes a user who still has access keys; IAM refuses, with this message (the
    // front door answers it as IAM would).
    sdk.detach_user_policy()
        .user_name("alice")
        .policy_arn(&policy)
        .send()
        .await
        .unwrap();
    front.fail(
        "DeleteUser",
        "UserName=alice",
        1,
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
    );
    let p = parts(
        &server
            .err("delete_user", json!({"user_name": "alice"}))
            .await,
    );
    assert_eq!(
        p.message,
        "Cannot delete yet: Cannot delete entity, must delete access keys first."
    );
    assert_eq!(p.hint, DELETE_USER_HINT);
    assert_details(&p, "DeleteConflict", "iam:DeleteUser");

    // What the hint suggests works: the plan names the access key, and force deletes.
    let plan = server
        .ok(
            "delete_user",
            json!({"user_name": "alice", "force": true, "dry_run": true}),
        )
        .await;
    assert!(plan.to_string().contains("iam:DeleteAccessKey"), "{plan}");
    server
        .ok("delete_user", json!({"user_name": "alice", "force": true}))
        .await;
    assert!(
        sdk.get_user().user_name("alice").send().await.is_err(),
        "alice is gone"
    );
    server.stop().await;
}

// ---------------------------------------------------------------------------------------
// 5. EntityAlreadyExists, LimitExceeded, MalformedPolicyDocument, ConcurrentModification,
//    invalid arguments, throttling
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_name_is_reported() {
    let moto = Moto::start();
    let server = Server::start(&moto, &["--allow-write"]).await;
    server
        .ok("create_user", json!({"user_name": "alice"}))
        .await;
    let p = parts(
        &server
            .err("create_user", json!({"user_name": "alice"}))
            .await,
    );
    assert_eq!(p.message, "Already exists: User alice already exists");
    assert_eq!(
        p.hint,
        "Pick another name, or use the existing entity (read it with the matching get tool)."
    );
    assert_details(&p, "EntityAlreadyExists", "iam:CreateUser");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_quota_is_reported() {
    // moto enforces IAM's two access keys per user.
    let moto = Moto::start();
    let server = Server::start(&moto, &["--allow-write"]).await;
    server
        .ok("create_user", json!({"user_name": "alice"}))
        .await;
    server
        .ok("create_access_key", json!({"user_name": "alice"}))
        .await;
    server
        .ok("create_access_key", json!({"user_name": "alice"}))
        .await;
    let p = parts(
        &server
            .err("create_access_key", json!({"user_name": "alice"}))
            .await,
    );
    assert_eq!(
        p.message,
        "An IAM quota was reached: Cannot exceed quota for AccessKeysPerUser: 2"
    );
    assert_eq!(
        p.hint,
        "Remove unused items (e.g. an old access key or policy version) or ask AWS for a higher quota; see IAM and STS quotas in the IAM User Guide."
    );
    assert_details(&p, "LimitExceeded", "iam:CreateAccessKey");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_iam_rejects_is_reported() {
    // The server's lint knows every AWS partition, aws-iso-f (US ISOF) included; moto,
    // playing IAM here, does not, and refuses the document as IAM refuses a bad one.
    let moto = Moto::start();
    let server = Server::start(&moto, &["--allow-write"]).await;
    server
        .ok("create_user", json!({"user_name": "alice"}))
        .await;
    let resource = "arn:aws-iso-f:iam::123456789012:user/alice";
    let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": resource}]});
    let p = parts(
        &server
            .err(
                "put_user_policy",
                json!({"user_name": "alice", "policy_name": "self", "policy_document": document}),
            )
            .await,
    );
    assert_eq!(
        p.message,
        format!(
            "The policy document was rejected: Partition \"aws-iso-f\" is not valid for resource \"{resource}\"."
        )
    );
    assert_eq!(
        p.hint,
        "Fix the document (Version \"2012-10-17\", Statement with Effect, Action and Resource; validate_policy checks it) and retry."
    );
    assert_details(&p, "MalformedPolicyDocument", "iam:PutUserPolicy");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_concurrent_modification_says_to_retry() {
    // moto never answers ConcurrentModification: the front door does, once, as IAM would.
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    sdk.create_user().user_name("alice").send().await.unwrap();
    let policy = common::create_policy(&sdk, "reports").await;
    let server = Server::start_env(&["--allow-write"], server_env(Some(&front.endpoint()))).await;
    let message =
        "Rate exceeded for the modification of this entity; another modification is in progress.";
    front.fail("AttachUserPolicy", "", 1, "ConcurrentModification", message);
    let args = json!({"user_name": "alice", "policy_arn": policy});
    let p = parts(&server.err("attach_user_policy", args.clone()).await);
    assert_eq!(
        p.message,
        format!("Another change to this entity is in progress: {message}")
    );
    assert_eq!(
        p.hint,
        "Retry in a few seconds; nothing was changed by this call."
    );
    assert_details(&p, "ConcurrentModification", "iam:AttachUserPolicy");
    // Not retried by the SDK; retrying as the hint says works.
    assert_eq!(
        front
            .actions()
            .iter()
            .filter(|a| *a == "AttachUserPolicy")
            .count(),
        1
    );
    server.ok("attach_user_policy", args).await;
    server.stop().await;
}

/// Every invalid argument at once, whatever its kind (issue 17, rough edge 5): each
/// argument is read on its own, so a wrong type hides neither a value out of range nor an
/// unknown or a missing argument.
#[tokio::test(flavor = "multi_thread")]
async fn every_invalid_argument_is_named_whatever_its_kind() {
    let moto = Moto::start();
    let server = Server::start(&moto, &[]).await;
    let text = server
        .err("list_users", json!({"max_items": 0, "path_prefix": 5}))
        .await;
    assert_eq!(
        text,
        "Invalid arguments for list_users:\n\
         - `path_prefix` must be a string, got 5\n\
         - `max_items` is 0, expected 1 to 1000\n\
         What to do: Correct each argument listed and call again."
    );
    // An unknown, a missing and a wrong-typed argument.
    let text = server
        .err(
            "get_user_policy",
            json!({"user_nme": "alice", "policy_name": ["inline"]}),
        )
        .await;
    assert_eq!(
        text,
        "Invalid arguments for get_user_policy:\n\
         - `user_nme` is not an argument of get_user_policy (did you mean `user_name`?); get_user_policy takes user_name, policy_name\n\
         - `user_name` is missing: it is required (a string)\n\
         - `policy_name` must be a string, got a list\n\
         What to do: Correct each argument listed and call again."
    );
    // Four kinds at once, and a list whose items are wrong names the list.
    let text = server
        .err(
            "list_attached_user_policies",
            json!({"UserName": "alice", "path_prefix": "no-slashes", "max_items": 1.5, "all_pages": "yes"}),
        )
        .await;
    for expected in [
        "- `UserName` is not an argument of list_attached_user_policies (did you mean `user_name`?)",
        "- `user_name` is missing: it is required (a string)",
        "- `path_prefix` is \"no-slashes\", which does not match the pattern",
        "- `max_items` must be an integer, got 1.5",
        "- `all_pages` must be true or false, got \"yes\"",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
    let text = server
        .err(
            "simulate_custom_policy",
            json!({"policy_input_list": [allow("s3:*")], "action_names": ["s3:GetObject", 7], "caller_arn": 3}),
        )
        .await;
    for expected in [
        "- `action_names` must be a list of strings: invalid type: integer `7`, expected a string",
        "- `caller_arn` must be a string, got 3",
    ] {
        assert!(text.contains(expected), "{expected}\nnot in\n{text}");
    }
    server.stop().await;
}

/// Validation: every problem at once, each with where it is, and nothing sent to AWS.
#[tokio::test(flavor = "multi_thread")]
async fn every_invalid_argument_is_listed_with_where_it_is() {
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let server = Server::start_env(
        &["--allow-write", "--consent", "none"],
        server_env(Some(&front.endpoint())),
    )
    .await;
    let text = server.err("create_user", json!({"user_name": "bad name!", "path": "no-slashes", "permissions_boundary": "not-an-arn"})).await;
    assert_eq!(
        text,
        "Invalid arguments for create_user:\n\
         - `user_name` is \"bad name!\", which does not match the pattern [\\w+=,.@-]+\n\
         - `path` is \"no-slashes\", which does not match the pattern (/)|(/[!-~]+/)\n\
         - `permissions_boundary` must be 20 to 2048 characters long, got 10\n\
         What to do: Correct each argument listed and call again."
    );
    let document = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3GetObject", "Resource": "*"}]});
    let text = server
        .err(
            "put_user_policy",
            json!({"user_name": "u", "policy_name": "p", "policy_document": document}),
        )
        .await;
    assert_eq!(
        text,
        "put_user_policy refused the policy document before sending it to AWS:\n\
         - policy_document: Statement[0].Effect: The effect \"Alow\" is not valid: use \"Allow\" or \"Deny\" (with that case). [INVALID_EFFECT]\n\
         - policy_document: Statement[0].Action: \"s3GetObject\" is not an action: write service:ActionName (\"s3:GetObject\") or \"*\". [INVALID_ACTION]\n\
         What to do: Fix each problem listed (validate_policy checks a document without writing it), then call again. Nothing was changed."
    );
    assert!(
        front.actions().is_empty(),
        "an invalid call reached IAM: {:?}",
        front.actions()
    );
    server.stop().await;

    // Lists are bounded where AWS bounds them (50 tags per call), before any work is done.
    let server = Server::start_env(
        &["--allow-write", "--consent", "none", "--toolsets", "all"],
        server_env(Some(&front.endpoint())),
    )
    .await;
    let tags: Vec<Value> = (0..10_000)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let started = std::time::Instant::now();
    let text = server
        .err("tag_user", json!({"user_name": "u", "tags": tags}))
        .await;
    assert_eq!(
        text,
        "Invalid arguments for tag_user:\n- `tags` must have at most 50 items, got 10000\nWhat to do: Correct each argument listed and call again."
    );
    let text = server
        .err("untag_user", json!({"user_name": "u", "tag_keys": []}))
        .await;
    assert!(
        text.contains("`tag_keys` must have 1 to 50 items, got 0"),
        "{text}"
    );
    let text = server
        .err(
            "simulate_custom_policy",
            json!({"policy_input_list": [], "action_names": vec!["s3:GetObject"; 1001]}),
        )
        .await;
    assert!(
        text.contains("`action_names` must have 1 to 1000 items, got 1001"),
        "{text}"
    );
    assert!(
        front.actions().is_empty(),
        "an over-long list reached IAM: {:?}",
        front.actions()
    );
    eprintln!("10,000 tags refused in {:?}", started.elapsed());
    front
        .sdk()
        .create_user()
        .user_name("fifty")
        .send()
        .await
        .unwrap();
    let fifty: Vec<Value> = (0..50)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    server
        .ok("tag_user", json!({"user_name": "fifty", "tags": fifty}))
        .await;
    assert_eq!(
        front
            .sdk()
            .list_user_tags()
            .user_name("fifty")
            .send()
            .await
            .unwrap()
            .tags()
            .len(),
        50
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_is_reported_after_the_sdk_s_retries() {
    // The front door throttles ListUsers 5 times; the SDK tries 3 times (its default), then
    // the server reports it.
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let server = Server::start_env(&[], server_env(Some(&front.endpoint()))).await;
    front.fail("ListUsers", "", 5, "Throttling", "Rate exceeded");
    let p = parts(&server.err("list_users", json!({})).await);
    assert_eq!(
        p.message,
        "IAM is throttling requests (after the SDK's retries): Rate exceeded"
    );
    assert_eq!(
        p.hint,
        "Wait a few seconds and retry; use fewer calls (e.g. max_items) if it keeps happening."
    );
    assert_details(&p, "Throttling", "iam:ListUsers");
    assert_eq!(front.actions(), vec!["ListUsers"; 3], "3 attempts");
    assert_eq!(
        front.pending_faults(),
        vec![("ListUsers".to_string(), String::new(), 2)]
    );
    // Each attempt is in the server's log of AWS calls (and so in an audit record).
    let stderr = server.stop().await;
    let attempts: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("aws call") && l.contains("action=iam:ListUsers"))
        .collect();
    assert_eq!(attempts.len(), 3, "{stderr}");
    assert!(
        attempts
            .iter()
            .all(|l| l.contains("status=400") && l.contains("outcome=Throttling")),
        "{attempts:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// 6. An answer without an AWS error code
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn an_html_500_gives_the_status_and_a_clean_excerpt() {
    // moto 5.2.5 does not implement SimulatePrincipalPolicy (simulate_principal_policy's
    // default evaluator is AWS's simulator): its web server answers a plain HTML "500
    // Internal Server Error" page, with no AWS error code. The front door forwards it as is.
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let alice = front
        .sdk()
        .create_user()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .user()
        .unwrap()
        .arn()
        .to_string();
    let endpoint = front.endpoint();
    let server = Server::start_env(&[], server_env(Some(&endpoint))).await;
    let args = json!({"policy_source_arn": alice, "action_names": ["s3:GetObject"]});
    let text = server.err("simulate_principal_policy", args).await;
    let p = parts(&text);
    assert_eq!(
        p.message,
        format!(
            "The IAM endpoint {endpoint} failed with HTTP status 500 (Internal Server Error) on iam:SimulatePrincipalPolicy \
             (after the SDK's retries), and sent no AWS error code.\n\
             Its answer: \"500 Internal Server Error. The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application.\""
        )
    );
    assert_eq!(
        p.hint,
        "Retry in a while. If this call keeps failing while others work, the endpoint may not support iam:SimulatePrincipalPolicy \
         (an IAM emulator or a proxy set in AWS_ENDPOINT_URL): check its logs, or run the server against AWS IAM."
    );
    assert_eq!(p.details, "(action: iam:SimulatePrincipalPolicy)");
    assert!(
        !text.contains("Unknown") && !text.contains('<'),
        "no 'Unknown', no HTML: {text}"
    );
    assert_eq!(
        front
            .actions()
            .iter()
            .filter(|a| *a == "SimulatePrincipalPolicy")
            .count(),
        3,
        "the SDK retried the 500"
    );
    server.stop().await;
}
