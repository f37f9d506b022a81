//! Consent before writes, with real MCP clients: one that can elicit and accepts, one that
//! declines, and one without elicitation (the confirmation-token path).

mod common;

use common::{server_env, Moto, Server};
use rmcp::model::{ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction, Implementation};
use rmcp::service::RequestContext;
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::{json, Value};
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
        Human { answer, asked: Arc::default() }
    }
}

impl ClientHandler for Human {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(ClientCapabilities::builder().enable_elicitation().build(), Implementation::new("consent-test", "0.0.0"))
    }

    async fn create_elicitation(&self, request: ElicitRequestParams, _context: RequestContext<RoleClient>) -> Result<ElicitResult, ErrorData> {
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

    server.ok("create_user", json!({"user_name": "dana", "path": "/staff/"})).await;
    assert_eq!(sdk.get_user().user_name("dana").send().await.unwrap().user().unwrap().path(), "/staff/");
    {
        let asked = human.asked.lock().unwrap();
        assert_eq!(asked.len(), 1);
        assert!(asked[0].contains("create_user") && asked[0].contains(r#""user_name":"dana""#) && asked[0].contains("CreateUser"), "{}", asked[0]);
    }

    // For a force delete, the question is the fresh plan, read from IAM, item by item.
    sdk.create_role().role_name("web").assume_role_policy_document(common::trust("ec2.amazonaws.com").to_string()).send().await.unwrap();
    sdk.create_instance_profile().instance_profile_name("web-profile").send().await.unwrap();
    sdk.add_role_to_instance_profile().instance_profile_name("web-profile").role_name("web").send().await.unwrap();
    sdk.put_role_policy().role_name("web").policy_name("notes").policy_document(common::allow("s3:GetObject").to_string()).send().await.unwrap();
    let done = server.ok("delete_role", json!({"role_name": "web", "force": true})).await;
    assert_eq!(done["Steps"].as_array().unwrap().len(), 3, "{done}");
    let asked = human.asked.lock().unwrap().last().cloned().unwrap();
    assert!(asked.contains("instance profile memberships (1): web-profile"), "{asked}");
    assert!(asked.contains("inline policies (1): notes"), "{asked}");
    assert!(asked.contains("DeleteRole (1): web"), "{asked}");
    assert_eq!(common::code(&sdk.get_role().role_name("web").send().await.unwrap_err()), "NoSuchEntity");
}

#[tokio::test]
async fn a_human_who_declines_changes_nothing() {
    let moto = Moto::start();
    let sdk = moto.sdk();
    let human = Human::new(ElicitationAction::Decline);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), human.clone()).await;
    let refused = server.err("create_user", json!({"user_name": "eve"})).await;
    assert!(refused.contains("The user declined; create_user changed nothing."), "{refused}");
    assert_eq!(common::code(&sdk.get_user().user_name("eve").send().await.unwrap_err()), "NoSuchEntity");

    sdk.create_group().group_name("keep").send().await.unwrap();
    let refused = server.err("delete_group", json!({"group_name": "keep", "force": true})).await;
    assert!(refused.contains("declined"), "{refused}");
    sdk.get_group().group_name("keep").send().await.expect("the group is still there");
    assert_eq!(human.asked.lock().unwrap().len(), 2);

    // Cancel is a no as well.
    let cancelling = Human::new(ElicitationAction::Cancel);
    let server = Server::start_with(WRITE, server_env(Some(&moto.endpoint())), cancelling).await;
    let refused = server.err("delete_group", json!({"group_name": "keep"})).await;
    assert!(refused.contains("cancelled"), "{refused}");
    sdk.get_group().group_name("keep").send().await.expect("the group is still there");
}

/// The token in a consent-required answer.
fn token_of(text: &str) -> String {
    let start = text.find("\"confirmation_token\": \"").unwrap_or_else(|| panic!("no token in: {text}")) + 23;
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
    assert!(first.contains("Confirmation required: nothing was changed yet") && first.contains("CreateGroup (1): ops"), "{first}");
    let token = token_of(&first);
    assert_eq!(common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()), "NoSuchEntity");

    // A made-up token.
    let wrong = server.err("create_group", with_token(&args, "1999999999.00112233445566778899aabbccddeeff.00")).await;
    assert!(wrong.contains("The confirmation_token was refused: it does not match this call"), "{wrong}");
    // The same token with a changed argument.
    let changed = server.err("create_group", with_token(&json!({"group_name": "ops", "path": "/other/"}), &token)).await;
    assert!(changed.contains("it does not match this call"), "{changed}");
    // Another tool.
    let other = server.err("create_user", with_token(&json!({"group_name": "ops"}), &token)).await;
    assert!(other.contains("Invalid arguments") || other.contains("does not match"), "{other}");
    assert_eq!(common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()), "NoSuchEntity");

    // The valid token runs the call once.
    server.ok("create_group", with_token(&args, &token)).await;
    sdk.get_group().group_name("ops").send().await.expect("created");
    sdk.delete_group().group_name("ops").send().await.unwrap();
    let replay = server.err("create_group", with_token(&args, &token)).await;
    assert!(replay.contains("it was already used"), "{replay}");
    assert_eq!(common::code(&sdk.get_group().group_name("ops").send().await.unwrap_err()), "NoSuchEntity");

    // A force delete's token is for the plan it showed: a new blocker voids it.
    sdk.create_group().group_name("crew").send().await.unwrap();
    for user in ["finn", "gail"] {
        sdk.create_user().user_name(user).send().await.unwrap();
    }
    sdk.add_user_to_group().group_name("crew").user_name("finn").send().await.unwrap();
    let args = json!({"group_name": "crew", "force": true});
    let asked = server.err("delete_group", args.clone()).await;
    assert!(asked.contains("members (1): finn"), "{asked}");
    let token = token_of(&asked);
    sdk.add_user_to_group().group_name("crew").user_name("gail").send().await.unwrap();
    let stale = server.err("delete_group", with_token(&args, &token)).await;
    assert!(stale.contains("does not match this call") && stale.contains("members (2): finn, gail"), "{stale}");
    sdk.get_group().group_name("crew").send().await.expect("the group is still there");
    // The fresh token, shown with the new plan, runs it.
    server.ok("delete_group", with_token(&args, &token_of(&stale))).await;
    assert_eq!(common::code(&sdk.get_group().group_name("crew").send().await.unwrap_err()), "NoSuchEntity");

    // Dry runs and reads need no consent.
    sdk.create_group().group_name("gus").send().await.unwrap();
    let plan = server.ok("delete_group", json!({"group_name": "gus", "force": true, "dry_run": true})).await;
    assert_eq!(plan["DryRun"], true);
    server.ok("list_users", json!({})).await;
}
