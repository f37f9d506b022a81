//! Offline mode: an account file, the JSON `aws iam get-account-authorization-details`
//! prints (all pages merged, or a JSON list of pages), loaded and checked once at start,
//! answering every read operation it holds the data for, in the live backend's output
//! shape (AWS member names, RFC 3339 dates, decoded documents, `Marker`/`IsTruncated`).
//!
//! The one interface is [`AccountFile::call`]: operation name and AWS-shaped JSON input in,
//! AWS-shaped JSON output (or AWS's error) out. Generated operation functions call it when
//! the backend is a file, so every tool runs unchanged.
//!
//! What a file cannot hold (access keys, login profiles, MFA, the credential report, the
//! password policy, aliases; AWS's simulator; every write) is not answerable, and tools
//! needing it are not offered. Fields the export lacks stay absent: a role's Description
//! and MaxSessionDuration and a user's PasswordLastUsed (unless the file carries them, as
//! `iam-mcp-server snapshot` writes them), a policy's Tags (ListPolicyTags is answerable
//! only when the file records them).

mod answer;
mod export;
mod load;
mod model;
mod page;

pub use export::{ExportError, export};
pub use model::{AccountFile, LoadError, SNAPSHOT_TIME_KEY};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Access;
    use crate::catalog::OperationSpec;
    use serde_json::{Value, json};

    static GET_USER: OperationSpec = OperationSpec {
        name: "GetUser",
        action: "iam:GetUser",
        access: Access::Read,
        paged: false,
    };
    static LIST_USERS: OperationSpec = OperationSpec {
        name: "ListUsers",
        action: "iam:ListUsers",
        access: Access::Read,
        paged: true,
    };
    static LIST_ACCESS_KEYS: OperationSpec = OperationSpec {
        name: "ListAccessKeys",
        action: "iam:ListAccessKeys",
        access: Access::Read,
        paged: true,
    };

    fn sample() -> Value {
        json!({
            "UserDetailList": [
                {"Path": "/", "UserName": "alice", "UserId": "AIDA1", "Arn": "arn:aws:iam::111122223333:user/alice",
                 "CreateDate": "2020-01-02T03:04:05+00:00", "GroupList": ["devs"],
                 "AttachedManagedPolicies": [{"PolicyName": "P", "PolicyArn": "arn:aws:iam::111122223333:policy/P"}],
                 "UserPolicyList": [{"PolicyName": "inline", "PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}],
                 "Tags": [{"Key": "team", "Value": "a"}]},
                {"Path": "/x/", "UserName": "bob", "UserId": "AIDA2", "Arn": "arn:aws:iam::111122223333:user/x/bob",
                 "CreateDate": "2020-01-02T03:04:05Z"}
            ],
            "GroupDetailList": [
                {"Path": "/", "GroupName": "devs", "GroupId": "AGPA1", "Arn": "arn:aws:iam::111122223333:group/devs", "CreateDate": "2020-01-02T03:04:05Z"}
            ],
            "RoleDetailList": [],
            "Policies": [
                {"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "DefaultVersionId": "v1",
                 "PolicyVersionList": [{"Document": {"Version": "2012-10-17"}, "VersionId": "v1", "IsDefaultVersion": true}]}
            ]
        })
    }

    fn load(v: &Value) -> Result<AccountFile, LoadError> {
        AccountFile::parse(&v.to_string(), "test.json", None)
    }

    #[test]
    fn answers_reads_in_aws_shape() {
        let f = load(&sample()).unwrap();
        assert_eq!(f.account_id(), Some("111122223333"));
        let u = f.call(&GET_USER, json!({"UserName": "alice"})).unwrap();
        assert_eq!(u["User"]["CreateDate"], "2020-01-02T03:04:05Z");
        assert_eq!(u["User"]["Tags"][0]["Key"], "team");
        let page = f.call(&LIST_USERS, json!({"MaxItems": 1})).unwrap();
        assert_eq!(page["IsTruncated"], true);
        let next = f
            .call(
                &LIST_USERS,
                json!({"MaxItems": 1, "Marker": page["Marker"]}),
            )
            .unwrap();
        assert_eq!(next["Users"][0]["UserName"], "bob");
        assert_eq!(next["IsTruncated"], false);
        let e = f.call(&GET_USER, json!({"UserName": "carol"})).unwrap_err();
        assert!(
            e.render()
                .starts_with("User 'carol' not found. (The user with name carol cannot be found.)"),
            "{}",
            e.render()
        );
        assert!(f.call(&LIST_ACCESS_KEYS, json!({})).is_err());
    }

    #[test]
    fn bad_files_say_where() {
        let e = AccountFile::parse("{\"UserDetailList\": [", "f.json", None)
            .unwrap_err()
            .0;
        assert!(e.contains("line 1 column"), "{e}");
        let mut v = sample();
        v["UserDetailList"][1]["CreateDate"] = json!(5);
        let e = load(&v).unwrap_err().0;
        assert!(
            e.contains(
                "UserDetailList[1] (user bob).CreateDate: expected a string, found number 5"
            ),
            "{e}"
        );
        let mut v = sample();
        v["Policies"] = json!([]);
        let e = load(&v).unwrap_err().0;
        assert!(e.contains("user alice has attached policy arn:aws:iam::111122223333:policy/P, which is not defined in Policies"), "{e}");
        let mut v = sample();
        v["GroupDetailList"] = json!([]);
        let e = load(&v).unwrap_err().0;
        assert!(e.contains("user alice is in group devs"), "{e}");
    }

    #[test]
    fn pages_merge() {
        let mut second = sample();
        second["UserDetailList"] = json!([]);
        second["GroupDetailList"] = json!([]);
        second["Policies"] = json!([]);
        let mut first = sample();
        first["RoleDetailList"] = json!([]);
        let f = load(&json!([first, {"RoleDetailList": []}])).unwrap();
        assert_eq!(f.counts(), (2, 1, 0, 1));
    }
}
