//! Consent before writes, with real MCP clients: one that can elicit and accepts, one that
//! declines, and one without elicitation (the confirmation-token path).

use crate::common;

use common::{Moto, Server, server_env};
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    Implementation,
};
use rmcp::service::RequestContext;
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const WRITE: &[&str] = &["--allow-write", "--toolsets", "all", "--consent", "auto"];

/// A human behind an elicitation-capable client, who always gives the same answer.
#[derive(Clone)]
struct Human {
    answer: ElicitationAction,
    asked: Arc<Mutex<Vec<String>>>,
}

impl Human {
    fn new(answer: ElicitationAction) -> Human {
        Human {
            answer,
            asked: Arc::default(),
        }
    }
}

impl ClientHandler for Human {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("consent-test", "0.0.0"),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.asked.lock().unwrap().push(message);
        }
        Ok(ElicitResult::new(self.answer.clone()))
    }
}

#[tokio::test]
async fn a_human_who_accepts_sees_the_plan_and_the_write_runs() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let human = Human::new(ElicitationAction::Accept);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), human.clone()).await;

    server
        .ok(
            "create_user",
            json!({"user_name": "dana", "path": "/staff/"}),
        )
        .await;
    assert_eq!(
        sdk.get_user()
            .user_name("dana")
            .send()
            .await
            .unwrap()
            .user()
            .unwrap()
            .path(),
        "/staff/"
    );
    {
        let asked = human.asked.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert!(
            asked[0].contains("create_user")
                && asked[0].contains(r#""user_name":"dana""#)
                && asked[0].contains("CreateUser"),
            "{}",
            asked[0]
        );
    }

    // For a force delete, the question is the fresh plan, read from IAM, item by item.
    sdk.create_role()
        .role_name("web")
        .assume_role_policy_document(common::trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.create_instance_profile()
        .instance_profile_name("web-profile")
        .send()
        .await
        .unwrap();
    sdk.add_role_to_instance_profile()
        .instance_profile_name("web-profile")
        .role_name("web")
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("web")
        .policy_name("notes")
        .policy_document(common::allow("s3:GetObject").to_string())
        .send()
        .await
        .unwrap();
    let done = server
        .ok("delete_role", json!({"role_name": "web", "force": true}))
        .await;
    assert_eq!(done["Steps"].as_array().unwrap().len(), 3, "{done}");
    let asked = human.asked.lock().unwrap().last().cloned().unwrap();
    assert!(
        asked.contains("instance profile memberships (1): web-profile"),
        "{asked}"
    );
    assert!(asked.contains("inline policies (1): notes"), "{asked}");
    assert!(asked.contains("DeleteRole (1): web"), "{asked}");
    assert_eq!(
        common::code(&sdk.get_role().role_name("web").send().await.unwrap_err()),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn a_human_who_declines_changes_nothing() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let human = Human::new(ElicitationAction::Decline);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), human.clone()).await;
    let refused = server.err("create_user", json!({"user_name": "eve"})).await;
    assert!(
        refused.contains("The user declined; create_user changed nothing."),
        "{refused}"
    );
    assert_eq!(
        common::code(&sdk.get_user().user_name("eve").send().await.unwrap_err()),
        "NoSuchEntity"
    );

    sdk.create_group().group_name("keep").send().await.unwrap();
    let refused = server
        .err("delete_group", json!({"group_name": "keep", "force": true}))
        .await;
    assert!(refused.contains("declined"), "{refused}");
    sdk.get_group()
        .group_name("keep")
        .send()
        .await
        .expect("the group is still there");
    assert_eq!(human.asked.lock().unwrap().len(), 2);

    // Cancel is a no as well.
    let cancelling = Human::new(ElicitationAction::Cancel);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), cancelling).await;
    let refused = server
        .err("delete_group", json!({"group_name": "keep"}))
        .await;
    assert!(refused.contains("cancelled"), "{refused}");
    sdk.get_group()
        .group_name("keep")
        .send()
        .await
        .expect("the group is still there");
}

/// The token in a consent-required answer.
fn token_of(text: &str) -> String {
    let start = text
        .find("\"confirmation_token\": \"")
        .unwrap_or_else(|| panic!("no token in: {text}"))
        + 23;
    text[start..].split('"').next().unwrap().to_string()
}

fn with_token(args: &Value, token: &str) -> Value {
    let mut args = args.clone();
    args["confirmation_token"] = json!(token);
    args
}

#[tokio::test]
async fn without_elicitation_a_single_use_token_binds_the_arguments_and_the_plan() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    // rmcp's default client declares no elicitation.
    let server = Server::start(&moto, WRITE).await;
    let tools = server.client.list_all_tools().await.unwrap();
    let create = tools.iter().find(|t| t.name == "create_group").unwrap();
    assert!(create.input_schema["properties"]["confirmation_token"].is_object());

    // Missing token: the description and a token, nothing changed.
    let args = json!({"group_name": "ops"});
    let first = server.err("create_group", args.clone()).await;
    assert!(
        first.contains("Confirmation required: nothing was changed yet")
            && first.contains("CreateGroup (1): ops"),
        "{first}"
    );
    let token = token_of(&first);
    assert_eq!(
        common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()),
        "NoSuchEntity"
    );

    // A made-up token.
    let wrong = server
        .err(
            "create_group",
            with_token(&args, "1999999999.00112233445566778899aabbccddeeff.00"),
        )
        .await;
    assert!(
        wrong.contains("The confirmation_token was refused: it does not match this call"),
        "{wrong}"
    );
    // The same token with a changed argument.
    let changed = server
        .err(
            "create_group",
            with_token(&json!({"group_name": "ops", "path": "/other/"}), &token),
        )
        .await;
    assert!(changed.contains("it does not match this call"), "{changed}");
    // Another tool.
    let other = server
        .err(
            "create_user",
            with_token(&json!({"group_name": "ops"}), &token),
        )
        .await;
    assert!(
        other.contains("Invalid arguments") || other.contains("does not match"),
        "{other}"
    );
    assert_eq!(
        common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()),
        "NoSuchEntity"
    );

    // The valid token runs the call once.
    server.ok("create_group", with_token(&args, &token)).await;
    sdk.get_group()
        .group_name("ops")
        .send()
        .await
        .expect("created");
    sdk.delete_group().group_name("ops").send().await.unwrap();
    let replay = server.err("create_group", with_token(&args, &token)).await;
    assert!(replay.contains("it was already used"), "{replay}");
    assert_eq!(
        common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()),
        "NoSuchEntity"
    );

    // A force delete's token is for the plan it showed: a new blocker voids it.
    sdk.create_group().group_name("crew").send().await.unwrap();
    for user in ["finn", "gail"] {
        sdk.create_user().user_name(user).send().await.unwrap();
    }
    sdk.add_user_to_group()
        .group_name("crew")
        .user_name("finn")
        .send()
        .await
        .unwrap();
    let args = json!({"group_name": "crew", "force": true});
    let asked = server.err("delete_group", args.clone()).await;
    assert!(asked.contains("members (1): finn"), "{asked}");
    let token = token_of(&asked);
    sdk.add_user_to_group()
        .group_name("crew")
        .user_name("gail")
        .send()
        .await
        .unwrap();
    let stale = server.err("delete_group", with_token(&args, &token)).await;
    assert!(
        stale.contains("does not match this call") && stale.contains("members (2): finn, gail"),
        "{stale}"
    );
    sdk.get_group()
        .group_name("crew")
        .send()
        .await
        .expect("the group is still there");
    // The fresh token, shown with the new plan, runs it.
    server
        .ok("delete_group", with_token(&args, &token_of(&stale)))
        .await;
    assert_eq!(
        common::code(&sdk.get_group().group_name("crew").send().await.unwrap_err()),
        "NoSuchEntity"
    );

    // Dry runs and reads need no consent.
    sdk.create_group().group_name("gus").send().await.unwrap();
    let plan = server
        .ok(
            "delete_group",
            json!({"group_name": "gus", "force": true, "dry_run": true}),
        )
        .await;
    assert_eq!(plan["DryRun"], true);
    server.ok("list_users", json!({})).await;
}

/// A human whose first answer comes after someone else changed IAM: while they read the
/// plan of a force delete, another inline policy appears on the role.
#[derive(Clone)]
struct InterruptedHuman {
    inner: Human,
    sdk: aws_sdk_iam::Client,
}

impl ClientHandler for InterruptedHuman {
    fn get_info(&self) -> ClientConfig {
        self.inner.get_info()
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if self.inner.asked.lock().unwrap().is_empty() {
            self.sdk
                .put_role_policy()
                .role_name("busy")
                .policy_name("late-arrival")
                .policy_document(common::allow("s3:GetObject").to_string())
                .send()
                .await
                .unwrap();
        }
        self.inner.create_elicitation(request, context).await
    }
}

/// rmcp's client speaking 2026-07-28 (server/discover, stateless requests) with elicitation:
/// the server cannot send it a request, so the call answers with an input-required result
/// and the client asks its human and retries with the answer and the sealed state.
#[tokio::test]
async fn a_2026_07_28_client_is_asked_through_an_input_required_result() {
    use rmcp::model::{CallToolRequestParams, CallToolResponse};
    let moto = Moto::start();
    let sdk = moto.sdk();
    let env = || server_env(Some(&moto.endpoint()));
    for (answer, name) in [
        (ElicitationAction::Accept, "ann"),
        (ElicitationAction::Decline, "dee"),
        (ElicitationAction::Cancel, "cal"),
    ] {
        let human = Human::new(answer.clone());
        let server = Server::start_2026(WRITE, env(), human.clone()).await;
        let result = server.call("create_user", json!({"user_name": name})).await;
        let asked = human.asked.lock().unwrap().clone();
        assert_eq!(asked.len(), 1, "{answer:?}: {asked:?}");
        assert!(
            asked[0].contains("CreateUser (1): ") && asked[0].contains(name),
            "{}",
            asked[0]
        );
        let exists = sdk.get_user().user_name(name).send().await.is_ok();
        match answer {
            ElicitationAction::Accept => assert!(
                result.is_error != Some(true) && exists,
                "{}",
                common::text(&result)
            ),
            _ => {
                assert!(
                    result.is_error == Some(true) && !exists,
                    "{answer:?}: {}",
                    common::text(&result)
                );
                assert!(
                    common::text(&result).contains("changed nothing"),
                    "{}",
                    common::text(&result)
                );
            }
        }
    }

    // Driven by hand: the state is bound to this call, altered it is refused, and it runs once.
    let server = Server::start_2026(WRITE, env(), Human::new(ElicitationAction::Accept)).await;
    let args = json!({"user_name": "hand"}).as_object().cloned().unwrap();
    let first = server
        .client
        .call_tool_once(CallToolRequestParams::new("create_user").with_arguments(args.clone()))
        .await
        .unwrap();
    let CallToolResponse::InputRequired(asked) = first else {
        panic!("not input required: {first:?}")
    };
    let state = asked.request_state.clone().expect("a requestState");
    assert!(
        asked
            .input_requests
            .as_ref()
            .is_some_and(|r| r.contains_key("consent")),
        "{asked:?}"
    );
    let accept =
        std::collections::BTreeMap::from([("consent".to_string(), json!({"action": "accept"}))]);
    let retry = |state: String, args: serde_json::Map<String, Value>| {
        CallToolRequestParams::new("create_user")
            .with_arguments(args)
            .with_input_responses(accept.clone())
            .with_request_state(state)
    };
    let mut altered = state.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    for (label, request) in [
        ("an altered state", retry(altered, args.clone())),
        (
            "other arguments",
            retry(
                state.clone(),
                json!({"user_name": "intruder"})
                    .as_object()
                    .cloned()
                    .unwrap(),
            ),
        ),
        (
            "a made-up state",
            retry("iam-consent.00.1999999999.00.00".into(), args.clone()),
        ),
    ] {
        let CallToolResponse::Complete(refused) =
            server.client.call_tool_once(request).await.unwrap()
        else {
            panic!("{label}: not complete")
        };
        assert_eq!(refused.is_error, Some(true), "{label}");
        assert!(
            common::text(&refused)
                .contains("the requestState sent back with this call was refused"),
            "{label}: {}",
            common::text(&refused)
        );
    }
    assert!(
        sdk.get_user().user_name("hand").send().await.is_err()
            && sdk.get_user().user_name("intruder").send().await.is_err()
    );
    let CallToolResponse::Complete(done) = server
        .client
        .call_tool_once(retry(state.clone(), args.clone()))
        .await
        .unwrap()
    else {
        panic!("not complete")
    };
    assert_ne!(done.is_error, Some(true), "{}", common::text(&done));
    sdk.delete_user().user_name("hand").send().await.unwrap();
    let CallToolResponse::Complete(replayed) = server
        .client
        .call_tool_once(retry(state, args))
        .await
        .unwrap()
    else {
        panic!("not complete")
    };
    assert!(
        common::text(&replayed).contains("it was already used"),
        "{}",
        common::text(&replayed)
    );
    assert!(
        sdk.get_user().user_name("hand").send().await.is_err(),
        "a replayed answer ran the call again"
    );

    // A force delete whose plan changes while the human reads it is asked again, with the new plan.
    sdk.create_role()
        .role_name("busy")
        .assume_role_policy_document(common::trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("busy")
        .policy_name("first")
        .policy_document(common::allow("s3:GetObject").to_string())
        .send()
        .await
        .unwrap();
    let human = InterruptedHuman {
        inner: Human::new(ElicitationAction::Accept),
        sdk: sdk.clone(),
    };
    let server = Server::start_2026(WRITE, env(), human.clone()).await;
    let done = server
        .ok("delete_role", json!({"role_name": "busy", "force": true}))
        .await;
    let asked = human.inner.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0].contains("inline policies (1): first") && !asked[0].contains("late-arrival"),
        "{}",
        asked[0]
    );
    assert!(
        asked[1].starts_with("The plan changed since you were last asked")
            && asked[1].contains("inline policies (2): first, late-arrival"),
        "{}",
        asked[1]
    );
    assert_eq!(done["Steps"].as_array().unwrap().len(), 3, "{done}");
    assert_eq!(
        common::code(&sdk.get_role().role_name("busy").send().await.unwrap_err()),
        "NoSuchEntity"
    );
}

/// `--consent elicit` means a human answers through the client, or nothing happens: a
/// client that cannot elicit gets a refusal (never a token), in either protocol era; and
/// `--consent token` never elicits, even from a client that could.
#[tokio::test]
async fn modes_mean_what_they_say() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let elicit = ["--allow-write", "--consent", "elicit"];
    for era in ["legacy", "2026-07-28"] {
        let server = match era {
            "legacy" => Server::start_with(&elicit, server_env(Some(&moto.endpoint())), ()).await,
            _ => Server::start_2026(&elicit, server_env(Some(&moto.endpoint())), ()).await,
        };
        let tools = server.client.list_all_tools().await.unwrap();
        let create = tools.iter().find(|t| t.name == "create_user").unwrap();
        assert!(
            create.input_schema["properties"]
                .get("confirmation_token")
                .is_none(),
            "{era}: elicit mode offers no token parameter"
        );
        let refused = server
            .err("create_user", json!({"user_name": "no-asker"}))
            .await;
        assert!(
            refused.contains("--consent elicit")
                && refused.contains("cannot ask the user")
                && refused.contains("Nothing was changed"),
            "{era}: {refused}"
        );
        assert!(!refused.contains("confirmation_token"), "{era}: {refused}");
        assert_eq!(
            common::code(
                &sdk.get_user()
                    .user_name("no-asker")
                    .send()
                    .await
                    .unwrap_err()
            ),
            "NoSuchEntity"
        );
    }
    let human = Human::new(ElicitationAction::Accept);
    let server = Server::start_2026(
        &["--allow-write", "--consent", "token"],
        server_env(Some(&moto.endpoint())),
        human.clone(),
    )
    .await;
    let asked = server.err("create_user", json!({"user_name": "tok"})).await;
    assert!(
        asked.contains("Confirmation required")
            && asked.contains("confirmation_token")
            && !asked.contains("cannot ask the user itself"),
        "{asked}"
    );
    assert!(
        human.asked.lock().unwrap().is_empty(),
        "--consent token elicited"
    );
    assert_eq!(
        common::code(&sdk.get_user().user_name("tok").send().await.unwrap_err()),
        "NoSuchEntity"
    );
}

/// The Python MCP client (mcp 2.3.0, as the test command installs it) in `mode="2026-07-28"`
/// with an elicitation callback, through tests/clients/python_consent.py.
fn python_client(moto: &Moto, scenario: &str, mode: &str, args: &[&str]) -> Value {
    let python = std::env::var("MCP_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| common::workspace().join(".venv-moto/bin/python"));
    let has_mcp = std::process::Command::new(&python)
        .args(["-c", "import mcp, boto3"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_mcp,
        "the Python MCP client is not installed at {}.\nRun the test command `scripts/test` (it installs mcp==2.3.0 next to moto in .venv-moto), or: .venv-moto/bin/pip install mcp==2.3.0",
        python.display()
    );
    let script = common::workspace().join("tests/clients/python_consent.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .args([scenario, common::server_bin(), &moto.endpoint(), mode])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{scenario}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{scenario}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test]
async fn the_python_client_in_2026_07_28_mode_asks_its_human() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let args = ["--allow-write", "--consent", "auto"];
    let exists = |name: &'static str| {
        let sdk = sdk.clone();
        async move { sdk.get_user().user_name(name).send().await.is_ok() }
    };
    let accept = python_client(&moto, "accept", "2026-07-28", &args);
    assert_eq!(accept["protocol"], "2026-07-28", "{accept}");
    assert_eq!(accept["asked"].as_array().unwrap().len(), 1, "{accept}");
    assert!(
        accept["asked"][0]
            .as_str()
            .unwrap()
            .contains("CreateUser (1): py-accept"),
        "{accept}"
    );
    assert_eq!(accept["result"]["is_error"], false, "{accept}");
    assert!(exists("py-accept").await);
    for (scenario, user) in [("decline", "py-decline"), ("cancel", "py-cancel")] {
        let out = python_client(&moto, scenario, "2026-07-28", &args);
        assert_eq!(out["asked"].as_array().unwrap().len(), 1, "{out}");
        assert_eq!(out["result"]["is_error"], true, "{out}");
        assert!(
            out["result"]["text"]
                .as_str()
                .unwrap()
                .contains(&format!("The user {scenario}")),
            "{out}"
        );
        assert!(!exists(user).await, "{scenario} created the user");
    }
    let tamper = python_client(&moto, "tamper", "2026-07-28", &args);
    assert_eq!(tamper["first"]["input_required"], true, "{tamper}");
    for refused in ["tampered", "other_arguments"] {
        assert!(
            tamper[refused]["text"]
                .as_str()
                .unwrap()
                .contains("the requestState sent back with this call was refused"),
            "{tamper}"
        );
    }
    assert!(!exists("py-tamper").await && !exists("py-someone-else").await);
    let replay = python_client(&moto, "replay", "2026-07-28", &args);
    assert_eq!(replay["accepted"]["is_error"], false, "{replay}");
    assert!(
        replay["replayed"]["text"]
            .as_str()
            .unwrap()
            .contains("it was already used"),
        "{replay}"
    );
    assert!(
        !exists("py-replay").await,
        "the replayed answer created the user again"
    );

    sdk.create_role()
        .role_name("py-plan")
        .assume_role_policy_document(common::trust("ec2.amazonaws.com").to_string())
        .send()
        .await
        .unwrap();
    sdk.put_role_policy()
        .role_name("py-plan")
        .policy_name("first")
        .policy_document(common::allow("s3:GetObject").to_string())
        .send()
        .await
        .unwrap();
    let plan = python_client(&moto, "plan-change", "2026-07-28", &args);
    let asked = plan["asked"].as_array().unwrap();
    assert_eq!(asked.len(), 2, "{plan}");
    assert!(
        asked[1].as_str().unwrap().starts_with("The plan changed")
            && asked[1].as_str().unwrap().contains("first, late-arrival"),
        "{plan}"
    );
    assert_eq!(plan["result"]["is_error"], false, "{plan}");
    assert_eq!(
        common::code(
            &sdk.get_role()
                .role_name("py-plan")
                .send()
                .await
                .unwrap_err()
        ),
        "NoSuchEntity"
    );

    // Without a callback the client cannot ask: auto falls back to a token and says why;
    // elicit refuses.
    let fallback = python_client(&moto, "no-callback", "2026-07-28", &args);
    assert!(
        fallback["result"]["text"]
            .as_str()
            .unwrap()
            .contains("cannot ask the user itself"),
        "{fallback}"
    );
    let strict = python_client(
        &moto,
        "no-callback",
        "2026-07-28",
        &["--allow-write", "--consent", "elicit"],
    );
    assert!(
        strict["result"]["text"]
            .as_str()
            .unwrap()
            .contains("--consent elicit"),
        "{strict}"
    );
    assert!(!exists("py-no-callback").await);
    // The legacy era still gets the server's own elicitation request.
    sdk.delete_user()
        .user_name("py-accept")
        .send()
        .await
        .unwrap();
    let legacy = python_client(
        &moto,
        "accept",
        "legacy",
        &["--allow-write", "--consent", "elicit"],
    );
    assert_eq!(legacy["asked"].as_array().unwrap().len(), 1, "{legacy}");
    assert_eq!(legacy["result"]["is_error"], false, "{legacy}");
}

/// An account where one grant opens a path to admin: ci-deployer may create and invoke
/// Lambda functions, and role lambda-admin (trusted by Lambda) holds a policy allowing
/// everything; only iam:PassRole on that role is missing.
async fn lambda_escalation(sdk: &aws_sdk_iam::Client) {
    let doc = |s: Value| json!({"Version": "2012-10-17", "Statement": s}).to_string();
    sdk.create_user()
        .user_name("ci-deployer")
        .send()
        .await
        .unwrap();
    sdk.put_user_policy()
        .user_name("ci-deployer")
        .policy_name("functions")
        .policy_document(doc(json!([{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}])))
        .send()
        .await
        .unwrap();
    let everything = common::create_policy_of(
        sdk,
        "Everything",
        json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]),
    )
    .await;
    sdk.create_role()
        .role_name("lambda-admin")
        .assume_role_policy_document(doc(json!([{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}])))
        .send()
        .await
        .unwrap();
    sdk.attach_role_policy()
        .role_name("lambda-admin")
        .policy_arn(everything)
        .send()
        .await
        .unwrap();
}

const DEPLOYER: &str = "arn:aws:iam::123456789012:user/ci-deployer";
const LAMBDA_ADMIN: &str = "arn:aws:iam::123456789012:role/lambda-admin";

fn pass_role_args() -> Value {
    json!({"user_name": "ci-deployer", "policy_name": "pass",
           "policy_document": {"Version": "2012-10-17", "Statement": [
               {"Effect": "Allow", "Action": "iam:PassRole", "Resource": LAMBDA_ADMIN}]}})
}

/// What the consent question must say about the grant.
fn check_access_text(asked: &str) {
    assert!(
        asked.contains("Access change (local policy engine"),
        "{asked}"
    );
    assert!(
        asked.contains(&format!(
            "{DEPLOYER} gains 1 action (Write 1): iam:PassRole on {LAMBDA_ADMIN}"
        )),
        "{asked}"
    );
    assert!(
        asked.contains(&format!(
            "opens a path to admin for {DEPLOYER}: iam:PassRole on {LAMBDA_ADMIN}, then lambda:CreateFunction on *, then lambda:InvokeFunction on *"
        )),
        "{asked}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_consent_question_says_what_a_grant_gives_and_the_path_it_opens() {
    let moto = Moto::start();
    lambda_escalation(&moto.sdk()).await;

    // Elicitation: the human reads the access change before saying yes.
    let human = Human::new(ElicitationAction::Accept);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), human.clone()).await;
    let preview = server
        .ok(
            "preview_access_change",
            json!({"tool": "put_user_policy", "arguments": pass_role_args()}),
        )
        .await;
    assert_eq!(preview["PathsOpened"][0]["From"], DEPLOYER, "{preview:#}");
    assert_eq!(preview["Principals"][0]["Gained"]["Count"], 1);
    server.ok("put_user_policy", pass_role_args()).await;
    let asked = human.asked.lock().unwrap().join("\n");
    check_access_text(&asked);
    // The question and preview_access_change say the same.
    for line in preview["Summary"].as_array().unwrap() {
        assert!(
            asked.contains(line.as_str().unwrap()),
            "{line} not in {asked}"
        );
    }
    // After the write, the model is read again: the path exists now.
    let paths = server
        .ok("find_escalation_paths", json!({"principal_arn": DEPLOYER}))
        .await;
    assert_eq!(paths["Paths"][0]["Steps"][0]["Action"], "iam:PassRole");
    // Removing it again closes the path, and the question says so.
    server
        .ok(
            "delete_user_policy",
            json!({"user_name": "ci-deployer", "policy_name": "pass"}),
        )
        .await;
    let asked = human.asked.lock().unwrap().last().unwrap().clone();
    assert!(
        asked.contains(&format!("closes the path to admin of {DEPLOYER}")),
        "{asked}"
    );
    assert!(
        asked.contains(&format!("{DEPLOYER} loses 1 action")),
        "{asked}"
    );
    server.stop().await;

    // The token path: the same text, handed to the assistant to show the user.
    let server = Server::start(&moto, WRITE).await;
    let asked = server.err("put_user_policy", pass_role_args()).await;
    assert!(asked.contains("Confirmation required"), "{asked}");
    check_access_text(&asked);
    let token = token_of(&asked);
    server
        .ok("put_user_policy", with_token(&pass_role_args(), &token))
        .await;
    // A write that changes no one's access says so.
    let asked = server
        .err(
            "put_user_policy",
            json!({"user_name": "ci-deployer", "policy_name": "again",
                   "policy_document": {"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}}),
        )
        .await;
    assert!(asked.contains("no principal's access changes"), "{asked}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_permission_change_is_previewed_in_the_consent_question() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    lambda_escalation(&sdk).await;
    let doc = |s: Value| json!({"Version": "2012-10-17", "Statement": s});
    let read = common::create_policy_of(
        &sdk,
        "ReadLogs",
        json!([{"Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"}]),
    )
    .await;
    sdk.create_policy_version()
        .policy_arn(&read)
        .policy_document(
            doc(json!([{"Effect": "Allow", "Action": ["logs:GetLogEvents", "logs:DescribeLogGroups"], "Resource": "*"}]))
                .to_string(),
        )
        .set_as_default(false)
        .send()
        .await
        .unwrap();
    sdk.attach_user_policy()
        .user_name("ci-deployer")
        .policy_arn(&read)
        .send()
        .await
        .unwrap();
    sdk.create_group()
        .group_name("readers")
        .send()
        .await
        .unwrap();
    sdk.attach_group_policy()
        .group_name("readers")
        .policy_arn(&read)
        .send()
        .await
        .unwrap();
    sdk.create_user().user_name("dana").send().await.unwrap();
    // The token path asks and changes nothing: each question must carry the preview, with
    // the line that says what this write does.
    let server = Server::start(&moto, WRITE).await;
    let dana = "arn:aws:iam::123456789012:user/dana";
    let cases: Vec<(&str, Value, String)> = vec![
        (
            "attach_user_policy",
            json!({"user_name": "dana", "policy_arn": read}),
            format!("{dana} gains 1 action (Read 1): logs:GetLogEvents on *"),
        ),
        (
            "detach_user_policy",
            json!({"user_name": "ci-deployer", "policy_arn": read}),
            format!("{DEPLOYER} loses 1 action"),
        ),
        (
            "create_policy_version",
            json!({"policy_arn": read, "set_as_default": true,
                   "policy_document": doc(json!([{"Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"},
                                                 {"Effect": "Allow", "Action": "logs:FilterLogEvents", "Resource": "*"}]))}),
            format!("{DEPLOYER} gains 1 action (Read 1): logs:FilterLogEvents on *"),
        ),
        (
            "set_default_policy_version",
            json!({"policy_arn": read, "version_id": "v2"}),
            format!("{DEPLOYER} gains 1 action (List 1): logs:DescribeLogGroups on *"),
        ),
        (
            "add_user_to_group",
            json!({"group_name": "readers", "user_name": "dana"}),
            format!("{dana} gains 1 action (Read 1): logs:GetLogEvents on *"),
        ),
        (
            "update_assume_role_policy",
            json!({"role_name": "lambda-admin", "policy_document": doc(json!([{"Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]))}),
            "the role newly trusts: arn:aws:iam::444455556666:root (outside the account)"
                .to_string(),
        ),
        (
            "put_role_permissions_boundary",
            json!({"role_name": "lambda-admin", "permissions_boundary": read}),
            format!("{LAMBDA_ADMIN} is no longer admin-equivalent"),
        ),
        (
            "attach_role_policy",
            json!({"role_name": "lambda-admin", "policy_arn": read}),
            "no principal's access changes".to_string(),
        ),
    ];
    for (tool, args, line) in cases {
        let asked = server.err(tool, args.clone()).await;
        assert!(asked.contains("Confirmation required"), "{tool}: {asked}");
        assert!(
            asked.contains("Access change (local policy engine"),
            "{tool}: {asked}"
        );
        assert!(asked.contains(&line), "{tool}: no {line:?} in {asked}");
    }
    // Nothing was changed by the questions.
    let groups = sdk
        .list_groups_for_user()
        .user_name("dana")
        .send()
        .await
        .unwrap();
    assert!(groups.groups().is_empty());
}
