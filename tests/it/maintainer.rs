//! A maintainer adds a tool by adding it to the manifest and nothing else: the same small
//! manifest without and with one more `[tools.*]` entry (and its operation) yields that
//! tool in tools/list, with schema and annotations, and its action in the policy.

use iam_tools::backend::Backend;
use iam_tools::catalog::Selection;
use iam_tools::context::Catalog;
use iam_tools::context::Shared;
use iam_tools::context::{Consent, Mode};
use iam_tools::registry::Registry;

mod before {
    iam_tools::generate_tools!(
        inline = r#"
        [toolsets.users]
        description = "Users."
        default = true

        [shapes.User]
        UserName = "string"
        Arn = "string"

        [operations]
        ListUsers = { output = { Users = "[User]" }, paged = "Users" }

        [tools.users.list_users]
        title = "List IAM users"
        description = "List IAM users."
    "#
    );
}

mod after {
    iam_tools::generate_tools!(
        inline = r#"
        [toolsets.users]
        description = "Users."
        default = true

        [shapes.User]
        UserName = "string"
        Arn = "string"

        [operations]
        ListUsers = { output = { Users = "[User]" }, paged = "Users" }
        # The maintainer's addition: one operation, one tool.
        UpdateUser = { input = { UserName = "string", NewUserName = "string?" } }

        [tools.users.list_users]
        title = "List IAM users"
        description = "List IAM users."

        [tools.users.update_user]
        title = "Rename an IAM user"
        description = "Change an IAM user's name."
        destructive = false
        idempotent = true
        message = "Updated IAM user {user_name}."
        params.user_name = { type = "string", description = "The user." }
        params.new_user_name = { type = "string", description = "Its new name." }
    "#
    );
}

fn registry(catalog: &'static Catalog) -> Registry {
    let selection = Selection {
        read_only: false,
        toolsets: catalog.default_toolsets(),
    };
    Registry::new(
        catalog,
        selection,
        Shared {
            backend: Backend::live(false),
            all_pages_max_items: 10,
            consent: Consent::new(Mode::None),
            guardrails: Default::default(),
            audit: None,
            model: Default::default(),
        },
    )
}

fn actions(catalog: &'static Catalog) -> Vec<String> {
    let selection = Selection {
        read_only: false,
        toolsets: catalog.default_toolsets(),
    };
    let policy = catalog.required_policy(&selection);
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn one_more_manifest_entry_is_one_more_tool() {
    let before = registry(&before::CATALOG);
    let after = registry(&after::CATALOG);
    let names = |r: &Registry| {
        r.tools()
            .iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&before), ["list_users"]);
    assert_eq!(names(&after), ["list_users", "update_user"]);

    let tool = after.tool("update_user").unwrap();
    let a = tool.annotations.as_ref().unwrap();
    assert_eq!(
        (a.read_only_hint, a.destructive_hint, a.idempotent_hint),
        (Some(false), Some(false), Some(true))
    );
    assert_eq!(
        tool.input_schema["required"],
        serde_json::json!(["user_name"])
    );
    assert!(tool.input_schema["properties"]["new_user_name"].is_object());

    // (sts:GetCallerIdentity is in every policy: the server asks who it is.)
    assert_eq!(
        actions(&before::CATALOG),
        ["iam:ListUsers", "sts:GetCallerIdentity"]
    );
    assert_eq!(
        actions(&after::CATALOG),
        ["iam:ListUsers", "sts:GetCallerIdentity", "iam:UpdateUser"]
    );

    // Read-only still hides it.
    let read_only = Registry::new(
        &after::CATALOG,
        Selection {
            read_only: true,
            toolsets: after::CATALOG.default_toolsets(),
        },
        Shared {
            backend: Backend::live(true),
            all_pages_max_items: 10,
            consent: Consent::new(Mode::None),
            guardrails: Default::default(),
            audit: None,
            model: Default::default(),
        },
    );
    assert_eq!(names(&read_only), ["list_users"]);
}
