//! The IAM front door (tests/it/common/front.rs) in front of moto: it forwards what moto does,
//! implements the service-specific credentials and the permissions boundaries moto 5.2.5
//! lacks (checked through the SDK, so its XML is what the SDK parses), and injects faults.

use crate::common;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use common::front::Front;
use common::{Moto, Server, code, create_policy, server_env};
use serde_json::json;
use std::future::Future;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// Every SDK call here is bounded.
async fn within<F: Future>(what: &str, call: F) -> F::Output {
    tokio::time::timeout(WAIT, call)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer in {WAIT:?}"))
}

/// An SDK error's HTTP status.
fn status<E>(e: &SdkError<E, aws_sdk_iam::config::http::HttpResponse>) -> u16 {
    e.raw_response().map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_front_door_forwards_implements_credentials_and_injects_faults() {
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    let direct = moto.sdk();

    // Forwarding: a user created through the front is moto's, and reads come back through it.
    within("CreateUser", sdk.create_user().user_name("alice").send())
        .await
        .unwrap();
    let user = within(
        "GetUser direct",
        direct.get_user().user_name("alice").send(),
    )
    .await
    .unwrap();
    assert_eq!(user.user().unwrap().user_name(), "alice");
    let listed = within("ListUsers", sdk.list_users().send()).await.unwrap();
    assert_eq!(
        listed
            .users()
            .iter()
            .map(|u| u.user_name())
            .collect::<Vec<_>>(),
        ["alice"]
    );
    let missing = within("GetUser", sdk.get_user().user_name("nobody").send())
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchEntity");
    assert_eq!(status(&missing), 404);

    // Service-specific credentials, in the front door's memory.
    let created = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("alice")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .unwrap();
    let first = created.service_specific_credential().unwrap();
    let first_id = first.service_specific_credential_id().to_string();
    assert!(
        first_id.starts_with("ACCA") && first_id.len() == 21,
        "{first_id}"
    );
    assert!(
        first_id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{first_id}"
    );
    assert_eq!(first.user_name(), "alice");
    assert_eq!(first.service_name(), "codecommit.amazonaws.com");
    assert_eq!(first.service_user_name(), "alice-at-123456789012");
    assert_eq!(first.status().as_str(), "Active");
    let first_password = first.service_password().to_string();
    assert_eq!(first_password.len(), 44);
    let age = aws_sdk_iam::primitives::DateTime::from(std::time::SystemTime::now()).secs()
        - first.create_date().secs();
    assert!((0..60).contains(&age), "CreateDate is {age}s ago");

    let second = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("alice")
            .service_name("cassandra.amazonaws.com")
            .send(),
    )
    .await
    .unwrap();
    let second_id = second
        .service_specific_credential()
        .unwrap()
        .service_specific_credential_id()
        .to_string();

    let all = within(
        "ListServiceSpecificCredentials",
        sdk.list_service_specific_credentials()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    let ids: Vec<_> = all
        .service_specific_credentials()
        .iter()
        .map(|c| c.service_specific_credential_id())
        .collect();
    assert_eq!(ids, [first_id.as_str(), second_id.as_str()]);
    assert!(!all.is_truncated());
    let listed_first = &all.service_specific_credentials()[0];
    assert_eq!(listed_first.service_user_name(), "alice-at-123456789012");
    assert_eq!(
        listed_first.create_date().secs(),
        first.create_date().secs()
    );
    let codecommit = within(
        "ListServiceSpecificCredentials",
        sdk.list_service_specific_credentials()
            .user_name("alice")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(codecommit.service_specific_credentials().len(), 1);

    let bodies_before = front.actions().len();
    within(
        "UpdateServiceSpecificCredential",
        sdk.update_service_specific_credential()
            .user_name("alice")
            .service_specific_credential_id(&first_id)
            .status(aws_sdk_iam::types::StatusType::Inactive)
            .send(),
    )
    .await
    .unwrap();
    let after_update = within(
        "ListServiceSpecificCredentials",
        sdk.list_service_specific_credentials()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        after_update.service_specific_credentials()[0]
            .status()
            .as_str(),
        "Inactive"
    );
    assert_eq!(
        front.actions()[bodies_before..],
        [
            "UpdateServiceSpecificCredential",
            "ListServiceSpecificCredentials"
        ]
    );

    let reset = within(
        "ResetServiceSpecificCredential",
        sdk.reset_service_specific_credential()
            .user_name("alice")
            .service_specific_credential_id(&first_id)
            .send(),
    )
    .await
    .unwrap();
    let reset = reset.service_specific_credential().unwrap();
    assert_eq!(reset.service_specific_credential_id(), first_id);
    assert_ne!(reset.service_password(), first_password);
    assert_eq!(reset.status().as_str(), "Inactive");

    // IAM's limits and errors.
    within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("alice")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .map(|out| {
        assert_eq!(
            out.service_specific_credential()
                .unwrap()
                .service_user_name(),
            "alice+1-at-123456789012"
        )
    })
    .unwrap();
    let limit = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("alice")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code(&limit).as_str(), status(&limit)),
        ("LimitExceeded", 409)
    );
    let no_user = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("nobody")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code(&no_user).as_str(), status(&no_user)),
        ("NoSuchEntity", 404)
    );
    assert_eq!(
        no_user.message(),
        Some("The user with name nobody cannot be found.")
    );
    let unsupported = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("alice")
            .service_name("s3.amazonaws.com")
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code(&unsupported).as_str(), status(&unsupported)),
        ("NotSupportedService", 404)
    );
    assert!(
        unsupported
            .as_service_error()
            .unwrap()
            .is_service_not_supported_exception()
    );

    // IAM does not delete a user who still has service-specific credentials.
    let conflict = within("DeleteUser", sdk.delete_user().user_name("alice").send())
        .await
        .unwrap_err();
    assert_eq!(
        (code(&conflict).as_str(), status(&conflict)),
        ("DeleteConflict", 409)
    );

    // Delete them all; a second delete is NoSuchEntity.
    let remaining = within(
        "ListServiceSpecificCredentials",
        sdk.list_service_specific_credentials()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(remaining.service_specific_credentials().len(), 3);
    for credential in remaining.service_specific_credentials() {
        within(
            "DeleteServiceSpecificCredential",
            sdk.delete_service_specific_credential()
                .user_name("alice")
                .service_specific_credential_id(credential.service_specific_credential_id())
                .send(),
        )
        .await
        .unwrap();
    }
    let empty = within(
        "ListServiceSpecificCredentials",
        sdk.list_service_specific_credentials()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    assert!(empty.service_specific_credentials().is_empty());
    let gone = within(
        "DeleteServiceSpecificCredential",
        sdk.delete_service_specific_credential()
            .user_name("alice")
            .service_specific_credential_id(&first_id)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!((code(&gone).as_str(), status(&gone)), ("NoSuchEntity", 404));
    assert!(
        gone.as_service_error()
            .unwrap()
            .is_no_such_entity_exception()
    );

    // Fault injection: one DeleteConflict on DetachUserPolicy for this policy, then moto.
    let policy = create_policy(&direct, "Reports").await;
    within(
        "AttachUserPolicy",
        sdk.attach_user_policy()
            .user_name("alice")
            .policy_arn(&policy)
            .send(),
    )
    .await
    .unwrap();
    front.fail("GetUser", "someone-else", 1, "AccessDenied", "never used");
    front.fail(
        "DetachUserPolicy",
        "policy/Reports",
        1,
        "DeleteConflict",
        "Cannot detach the policy right now.",
    );
    within("GetUser", sdk.get_user().user_name("alice").send())
        .await
        .unwrap();
    let detach = || {
        sdk.detach_user_policy()
            .user_name("alice")
            .policy_arn(&policy)
            .send()
    };
    let failed = within("DetachUserPolicy", detach()).await.unwrap_err();
    assert_eq!(
        (code(&failed).as_str(), status(&failed)),
        ("DeleteConflict", 409)
    );
    assert_eq!(
        failed.message(),
        Some("Cannot detach the policy right now.")
    );
    let attached = within(
        "ListAttachedUserPolicies",
        direct
            .list_attached_user_policies()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(
        attached.attached_policies().len(),
        1,
        "the faulted call must not reach moto"
    );
    within("DetachUserPolicy", detach()).await.unwrap();
    let attached = within(
        "ListAttachedUserPolicies",
        direct
            .list_attached_user_policies()
            .user_name("alice")
            .send(),
    )
    .await
    .unwrap();
    assert!(attached.attached_policies().is_empty());
    assert_eq!(
        front.pending_faults(),
        [("GetUser".to_string(), "someone-else".to_string(), 1)]
    );

    // The user can go now.
    within("DeleteUser", sdk.delete_user().user_name("alice").send())
        .await
        .unwrap();
    let actions = front.actions();
    assert_eq!(
        actions[actions.len() - 4..],
        [
            "GetUser",
            "DetachUserPolicy",
            "DetachUserPolicy",
            "DeleteUser"
        ]
    );
    assert_eq!(actions[0], "CreateUser");
    let bodies = front.bodies();
    assert!(
        bodies[bodies.len() - 2].contains(&format!("PolicyArn={policy}")),
        "bodies are decoded: {}",
        bodies[bodies.len() - 2]
    );
}

/// The server under test, pointed at the front door, lists credentials moto cannot hold.
#[tokio::test(flavor = "multi_thread")]
async fn the_server_lists_service_specific_credentials_through_the_front_door() {
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    within("CreateUser", sdk.create_user().user_name("eve").send())
        .await
        .unwrap();
    let created = within(
        "CreateServiceSpecificCredential",
        sdk.create_service_specific_credential()
            .user_name("eve")
            .service_name("codecommit.amazonaws.com")
            .send(),
    )
    .await
    .unwrap();
    let id = created
        .service_specific_credential()
        .unwrap()
        .service_specific_credential_id()
        .to_string();

    let server = Server::start_env(
        &["--toolsets", "credentials"],
        server_env(Some(&front.endpoint())),
    )
    .await;
    let listed = server
        .ok(
            "list_service_specific_credentials",
            json!({"user_name": "eve", "service_name": "codecommit.amazonaws.com"}),
        )
        .await;
    server.stop().await;
    let credential = &listed["ServiceSpecificCredentials"][0];
    assert_eq!(
        credential["ServiceSpecificCredentialId"],
        id.as_str(),
        "{listed}"
    );
    assert_eq!(credential["ServiceUserName"], "eve-at-123456789012");
    assert_eq!(credential["Status"], "Active");
    assert_eq!(
        front.actions(),
        [
            "CreateUser",
            "CreateServiceSpecificCredential",
            "ListServiceSpecificCredentials"
        ]
    );
}

/// Several requests on one client connection, sent at once, are each framed by their
/// Content-Length; the connection ends after moto's `Connection: close` answer.
#[tokio::test(flavor = "multi_thread")]
async fn one_connection_carries_several_requests() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let request = |body: &str| {
        format!(
            "POST / HTTP/1.1\r\nHost: iam\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let all = [
        request("Action=ListServiceSpecificCredentials&Version=2010-05-08&AllUsers=true"),
        request("Action=DeleteServiceSpecificCredential&Version=2010-05-08&ServiceSpecificCredentialId=ACCA0000000000000000%30"),
        request("Action=ListUsers&Version=2010-05-08"),
    ]
    .concat();
    let address = front.endpoint().trim_start_matches("http://").to_string();
    let mut socket = within("connect", tokio::net::TcpStream::connect(&address))
        .await
        .unwrap();
    within("write", socket.write_all(all.as_bytes()))
        .await
        .unwrap();
    let mut answers = Vec::new();
    within("read to the end", socket.read_to_end(&mut answers))
        .await
        .unwrap();
    let answers = String::from_utf8(answers).unwrap();
    let statuses: Vec<_> = answers
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &answers[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "404", "200"], "{answers}");
    assert!(
        answers.contains("<ServiceSpecificCredentials/><IsTruncated>false</IsTruncated>"),
        "{answers}"
    );
    assert!(
        answers.contains("<Code>NoSuchEntity</Code>") && answers.contains("ACCA00000000000000000"),
        "{answers}"
    );
    assert!(answers.contains("<ListUsersResponse"), "{answers}");
    assert_eq!(
        front.actions(),
        [
            "ListServiceSpecificCredentials",
            "DeleteServiceSpecificCredential",
            "ListUsers"
        ]
    );
}

/// Users and roles of `list`, as (users, roles) names.
fn entities(
    out: &aws_sdk_iam::operation::list_entities_for_policy::ListEntitiesForPolicyOutput,
) -> (Vec<&str>, Vec<&str>) {
    (
        out.policy_users()
            .iter()
            .filter_map(|u| u.user_name())
            .collect(),
        out.policy_roles()
            .iter()
            .filter_map(|r| r.role_name())
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_front_door_keeps_permissions_boundaries_as_iam_does() {
    use aws_sdk_iam::types::{EntityType, PolicyUsageType};
    let moto = Moto::start();
    let front = Front::start(&moto.endpoint()).await;
    let sdk = front.sdk();
    let arn = create_policy(&sdk, "limit").await;
    let missing = arn.replace("limit", "missing");
    within("setup", async {
        sdk.create_user()
            .user_name("uma")
            .path("/ops/")
            .send()
            .await
            .unwrap();
        sdk.create_user().user_name("ned").send().await.unwrap();
        sdk.attach_user_policy()
            .user_name("ned")
            .policy_arn(&arn)
            .send()
            .await
            .unwrap();
        sdk.create_role()
            .role_name("rex")
            .assume_role_policy_document(common::trust("ec2.amazonaws.com").to_string())
            .send()
            .await
            .unwrap();
    })
    .await;
    let list = |usage: Option<PolicyUsageType>, filter: Option<EntityType>| {
        sdk.list_entities_for_policy()
            .policy_arn(&arn)
            .set_policy_usage_filter(usage)
            .set_entity_filter(filter)
            .send()
    };

    // Set: the entity and the policy must exist.
    let e = within(
        "put",
        sdk.put_user_permissions_boundary()
            .user_name("ghost")
            .permissions_boundary(&arn)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code(&e).as_str(), e.message()),
        (
            "NoSuchEntity",
            Some("The user with name ghost cannot be found.")
        )
    );
    let e = within(
        "put",
        sdk.put_role_permissions_boundary()
            .role_name("rex")
            .permissions_boundary(&missing)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), "NoSuchEntity");
    within(
        "put",
        sdk.put_user_permissions_boundary()
            .user_name("uma")
            .permissions_boundary(&arn)
            .send(),
    )
    .await
    .unwrap();
    within(
        "put",
        sdk.put_role_permissions_boundary()
            .role_name("rex")
            .permissions_boundary(&arn)
            .send(),
    )
    .await
    .unwrap();

    // Read: GetUser (added to moto's answer) and GetRole (moto's own) show them.
    let uma = within("get", sdk.get_user().user_name("uma").send())
        .await
        .unwrap();
    assert_eq!(
        uma.user()
            .unwrap()
            .permissions_boundary()
            .unwrap()
            .permissions_boundary_arn(),
        Some(arn.as_str())
    );
    let rex = within("get", moto.sdk().get_role().role_name("rex").send())
        .await
        .unwrap();
    assert_eq!(
        rex.role()
            .unwrap()
            .permissions_boundary()
            .unwrap()
            .permissions_boundary_arn(),
        Some(arn.as_str())
    );

    // Listed by use: boundaries, attachments, or both without a filter.
    let out = within(
        "list",
        list(Some(PolicyUsageType::PermissionsBoundary), None),
    )
    .await
    .unwrap();
    assert_eq!(entities(&out), (vec!["uma"], vec!["rex"]));
    assert_eq!(
        out.policy_users()[0].user_id(),
        Some(uma.user().unwrap().user_id())
    );
    let out = within(
        "list",
        list(
            Some(PolicyUsageType::PermissionsBoundary),
            Some(EntityType::Role),
        ),
    )
    .await
    .unwrap();
    assert_eq!(entities(&out), (vec![], vec!["rex"]));
    let out = within("list", list(Some(PolicyUsageType::PermissionsPolicy), None))
        .await
        .unwrap();
    assert_eq!(entities(&out), (vec!["ned"], vec![]));
    let out = within("list", list(None, None)).await.unwrap();
    assert_eq!(entities(&out), (vec!["ned", "uma"], vec!["rex"]));
    let e = within(
        "list",
        sdk.list_entities_for_policy()
            .policy_arn(&missing)
            .policy_usage_filter(PolicyUsageType::PermissionsBoundary)
            .send(),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), "NoSuchEntity");

    // A policy that is a boundary is not deleted; an entity that has one is.
    let e = within("delete", sdk.delete_policy().policy_arn(&arn).send())
        .await
        .unwrap_err();
    assert_eq!(
        (code(&e).as_str(), e.message(), status(&e)),
        (
            "DeleteConflict",
            Some("Cannot delete a policy attached to entities."),
            409
        )
    );
    within("delete", sdk.delete_role().role_name("rex").send())
        .await
        .unwrap();
    within(
        "remove",
        sdk.delete_user_permissions_boundary()
            .user_name("uma")
            .send(),
    )
    .await
    .unwrap();
    let uma = within("get", sdk.get_user().user_name("uma").send())
        .await
        .unwrap();
    assert!(uma.user().unwrap().permissions_boundary().is_none());
    let out = within(
        "list",
        list(Some(PolicyUsageType::PermissionsBoundary), None),
    )
    .await
    .unwrap();
    assert_eq!(entities(&out), (vec![], vec![]));
    within(
        "detach",
        sdk.detach_user_policy()
            .user_name("ned")
            .policy_arn(&arn)
            .send(),
    )
    .await
    .unwrap();
    within("delete", sdk.delete_policy().policy_arn(&arn).send())
        .await
        .unwrap();
}
