//! Tests of the validator: for each issue code, a document that has it and one that does
//! not (the document set under tests/validation is run by iam-tools' tests).

use serde_json::{Value, json};

use super::*;

fn codes(doc: Value, kind: PolicyKind) -> Vec<&'static str> {
    validate(&doc, kind)
        .into_iter()
        .map(|f| f.issue_code)
        .collect()
}

fn allow(statement: Value) -> Value {
    let mut s = statement;
    s["Effect"] = json!("Allow");
    json!({"Version": "2012-10-17", "Statement": [s]})
}

/// Asserts `bad` has `code` and `good` does not.
fn pair(code: &str, kind: PolicyKind, bad: Value, good: Value) {
    let b = codes(bad.clone(), kind);
    assert!(b.contains(&code), "{code} missing for {bad}: {b:?}");
    let g = codes(good.clone(), kind);
    assert!(!g.contains(&code), "{code} reported for {good}: {g:?}");
}

#[test]
fn the_issue_examples_are_flagged() {
    use PolicyKind::Identity as I;
    let s3 = |action: &str| allow(json!({"Action": action, "Resource": "arn:aws:s3:::b/*"}));
    pair("INVALID_ACTION", I, s3("s3:GetObjectt"), s3("s3:GetObject"));
    let msg = validate(&s3("s3:GetObjectt"), I);
    assert!(
        msg[0].message.contains("Did you mean \"s3:GetObject\""),
        "{msg:?}"
    );
    pair(
        "INVALID_SERVICE_IN_ACTION",
        I,
        s3("s4:GetObject"),
        s3("s3:GetObject"),
    );
    let cond = |op: &str, key: &str, v: Value| {
        allow(
            json!({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {op: {key: v}}}),
        )
    };
    pair(
        "INVALID_GLOBAL_CONDITION_KEY",
        I,
        cond("IpAddress", "aws:SourceIpp", json!("203.0.113.0/24")),
        cond("IpAddress", "aws:SourceIp", json!("203.0.113.0/24")),
    );
    pair(
        "INVALID_SERVICE_CONDITION_KEY",
        I,
        cond("StringLike", "s3:prefixx", json!("home/")),
        cond("StringLike", "s3:prefix", json!("home/")),
    );
    pair(
        "TYPE_MISMATCH",
        I,
        cond("DateGreaterThan", "aws:SourceIp", json!("2026-01-01")),
        cond("DateGreaterThan", "aws:CurrentTime", json!("2026-01-01")),
    );
    pair(
        "TYPE_MISMATCH_IP_RANGE",
        I,
        cond("IpAddress", "aws:SourceIp", json!("not-an-ip")),
        cond("IpAddress", "aws:SourceIp", json!("203.0.113.0/24")),
    );
    pair(
        "TYPE_MISMATCH_NUMBER",
        I,
        cond("NumericLessThan", "aws:MultiFactorAuthAge", json!("ten")),
        cond("NumericLessThan", "aws:MultiFactorAuthAge", json!("3600")),
    );
    let on = |action: &str, resource: &str| allow(json!({"Action": action, "Resource": resource}));
    pair(
        "RESOURCE_MISMATCH",
        I,
        on("s3:ListBucket", "arn:aws:s3:::b/*"),
        on("s3:ListBucket", "arn:aws:s3:::b"),
    );
    pair(
        "RESOURCE_MISMATCH",
        I,
        on(
            "ec2:DescribeInstances",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc",
        ),
        on("ec2:DescribeInstances", "*"),
    );
    pair(
        "INVALID_PARTITION",
        I,
        on("s3:GetObject", "arn:awz:s3:::b/*"),
        on("s3:GetObject", "arn:aws:s3:::b/*"),
    );
    pair(
        "INVALID_ARN_ACCOUNT",
        I,
        on("iam:GetUser", "arn:aws:iam::12345:user/x"),
        on("iam:GetUser", "arn:aws:iam::111122223333:user/x"),
    );
}

#[test]
fn arn_checks() {
    use PolicyKind::Identity as I;
    let on = |resource: &str| allow(json!({"Action": "iam:GetRole", "Resource": resource}));
    let good = on("arn:aws:iam::111122223333:role/x");
    pair(
        "ARN_REGION_NOT_ALLOWED",
        I,
        on("arn:aws:iam:us-east-1:111122223333:role/x"),
        good.clone(),
    );
    pair(
        "INVALID_ARN_PREFIX",
        I,
        on("iam::111122223333:role/x"),
        good.clone(),
    );
    pair(
        "MISSING_ARN_FIELD",
        I,
        on("arn:aws:iam:role/x"),
        good.clone(),
    );
    pair(
        "INVALID_ARN_SERVICE_CASE",
        I,
        on("arn:aws:IAM::111122223333:role/x"),
        good.clone(),
    );
    pair(
        "WILDCARD_IN_SERVICE_NAME",
        I,
        on("arn:aws:i*::111122223333:role/x"),
        good.clone(),
    );
    pair(
        "MISSING_ARN_ACCOUNT",
        I,
        on("arn:aws:iam:::role/x"),
        good.clone(),
    );
    pair(
        "INVALID_ARN_RESOURCE",
        I,
        on("arn:aws:iam::111122223333:rolez/x"),
        good.clone(),
    );
    let s3 = |resource: &str| allow(json!({"Action": "s3:GetObject", "Resource": resource}));
    pair(
        "ARN_ACCOUNT_NOT_ALLOWED",
        I,
        s3("arn:aws:s3::111122223333:b/*"),
        s3("arn:aws:s3:::b/*"),
    );
    let sqs = |resource: &str| allow(json!({"Action": "sqs:SendMessage", "Resource": resource}));
    pair(
        "MISSING_ARN_REGION",
        I,
        sqs("arn:aws:sqs::111122223333:q"),
        sqs("arn:aws:sqs:us-east-1:111122223333:q"),
    );
    pair(
        "INVALID_ARN_REGION",
        I,
        sqs("arn:aws:sqs:moon-1:111122223333:q"),
        sqs("arn:aws:sqs:*:111122223333:q"),
    );
    pair(
        "INVALID_SERVICE",
        I,
        s3("arn:aws:s4:::b/*"),
        s3("arn:aws:s3:::b/${aws:username}/*"),
    );
    pair(
        "REDUNDANT_RESOURCE",
        I,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/x"]}]}),
        s3("arn:aws:s3:::b/*"),
    );
}

#[test]
fn grammar_checks() {
    use PolicyKind::Identity as I;
    let good = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
    let with = |f: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        f(&mut d);
        d
    };
    pair(
        "MISSING_VERSION",
        I,
        with(&|d| {
            d.as_object_mut().unwrap().remove("Version");
        }),
        good.clone(),
    );
    pair(
        "INVALID_VERSION",
        I,
        with(&|d| d["Version"] = json!("2012-10-18")),
        good.clone(),
    );
    pair(
        "DATA_TYPE_MISMATCH",
        I,
        with(&|d| d["Version"] = json!(2012)),
        good.clone(),
    );
    pair(
        "MISSING_STATEMENT",
        I,
        with(&|d| d["Statement"] = json!([])),
        good.clone(),
    );
    pair(
        "INVALID_POLICY_ELEMENT",
        I,
        with(&|d| d["Statement"][0]["Condtion"] = json!({})),
        good.clone(),
    );
    pair(
        "INVALID_EFFECT",
        I,
        with(&|d| d["Statement"][0]["Effect"] = json!("Alow")),
        good.clone(),
    );
    pair(
        "MISSING_EFFECT",
        I,
        with(&|d| {
            d["Statement"][0].as_object_mut().unwrap().remove("Effect");
        }),
        good.clone(),
    );
    pair(
        "MISSING_ACTION",
        I,
        with(&|d| {
            d["Statement"][0].as_object_mut().unwrap().remove("Action");
        }),
        good.clone(),
    );
    pair(
        "MISSING_RESOURCE",
        I,
        with(&|d| {
            d["Statement"][0]
                .as_object_mut()
                .unwrap()
                .remove("Resource");
        }),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_ELEMENT_COMBINATION",
        I,
        with(&|d| d["Statement"][0]["NotAction"] = json!("s3:PutObject")),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_SID",
        I,
        with(&|d| d["Statement"][0]["Sid"] = json!("read-objects")),
        good.clone(),
    );
    pair(
        "EMPTY_SID_VALUE",
        I,
        with(&|d| d["Statement"][0]["Sid"] = json!("")),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_ACTION",
        I,
        with(&|d| d["Statement"][0]["Action"] = json!([])),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_RESOURCE",
        I,
        with(&|d| d["Statement"][0]["Resource"] = json!([])),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_PRINCIPAL",
        I,
        with(&|d| d["Statement"][0]["Principal"] = json!({"AWS": "111122223333"})),
        good.clone(),
    );
    pair(
        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
        I,
        with(&|d| d["Statement"][0]["Action"] = json!("s3:${aws:username}")),
        good.clone(),
    );
    let old = |d: &mut Value| {
        d["Version"] = json!("2008-10-17");
        d["Statement"][0]["Resource"] = json!("arn:aws:s3:::b/${aws:username}/*");
    };
    pair(
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        PolicyKind::Resource,
        with(&|d| {
            old(d);
            d["Statement"][0]["Principal"] = json!({"AWS": "111122223333"});
        }),
        good.clone(),
    );
    pair("INVALID_VERSION", I, with(&old), good.clone());
    pair(
        "MISSING_BRACE_IN_VARIABLE",
        I,
        with(&|d| d["Statement"][0]["Resource"] = json!("arn:aws:s3:::b/${aws:username/*")),
        good.clone(),
    );
    pair(
        "EMPTY_VARIABLE",
        I,
        with(&|d| d["Statement"][0]["Resource"] = json!("arn:aws:s3:::b/${}/*")),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_SPACE_IN_VARIABLE",
        I,
        with(&|d| d["Statement"][0]["Resource"] = json!("arn:aws:s3:::b/${aws: username}/*")),
        good.clone(),
    );
    pair(
        "MISSING_QUOTE_IN_VARIABLE",
        I,
        with(&|d| d["Statement"][0]["Resource"] = json!("arn:aws:s3:::b/${aws:username, 'x}/*")),
        good.clone(),
    );
    let two = with(&|d| {
        let s = d["Statement"][0].clone();
        d["Statement"].as_array_mut().unwrap().push(s);
    });
    let c = codes(two, I);
    assert!(
        c.contains(&"UNIQUE_SIDS_REQUIRED") && c.contains(&"REDUNDANT_STATEMENT"),
        "{c:?}"
    );
    pair(
        "REDUNDANT_ACTION",
        I,
        with(&|d| d["Statement"][0]["Action"] = json!(["s3:Get*", "s3:GetObject"])),
        good.clone(),
    );
    assert_eq!(codes(json!("{nope"), I), ["JSON_SYNTAX_ERROR"]);
    assert!(validate_str("{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::b/*\"}}", I).is_empty());
}

#[test]
fn condition_checks() {
    use PolicyKind::Identity as I;
    let cond = |c: Value| {
        allow(json!({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": c}))
    };
    let good = cond(json!({"Bool": {"aws:SecureTransport": "true"}}));
    pair(
        "INVALID_CONDITION_OPERATOR",
        I,
        cond(json!({"StringEqual": {"aws:PrincipalTag/team": "a"}})),
        good.clone(),
    );
    pair(
        "NULL_WITH_IF_EXISTS",
        I,
        cond(json!({"NullIfExists": {"aws:PrincipalTag/team": "true"}})),
        good.clone(),
    );
    pair(
        "NULL_WITH_QUALIFIER",
        I,
        cond(json!({"ForAllValues:Null": {"aws:TagKeys": "true"}})),
        good.clone(),
    );
    pair(
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        I,
        cond(json!({"Bool": {"aws:SecureTransport": ["true", "false"]}})),
        good.clone(),
    );
    pair(
        "TYPE_MISMATCH_BOOLEAN",
        I,
        cond(json!({"Bool": {"aws:SecureTransport": "yes"}})),
        good.clone(),
    );
    pair(
        "TYPE_MISMATCH_DATE",
        I,
        cond(json!({"DateLessThan": {"aws:CurrentTime": "next tuesday"}})),
        good.clone(),
    );
    pair(
        "INVALID_DATE_VALUE",
        I,
        cond(json!({"DateLessThan": {"aws:CurrentTime": "1700000000"}})),
        good.clone(),
    );
    pair(
        "WILDCARD_WITHOUT_LIKE_OPERATOR",
        I,
        cond(json!({"StringEquals": {"aws:PrincipalTag/job": "admin-*"}})),
        cond(json!({"StringLike": {"aws:PrincipalTag/job": "admin-*"}})),
    );
    pair(
        "MISSING_TAG_KEY_IN_CONDITION",
        I,
        cond(json!({"StringEquals": {"aws:ResourceTag": "x"}})),
        cond(json!({"StringEquals": {"aws:ResourceTag/owner": "x"}})),
    );
    pair(
        "INVALID_CONDITION_KEY_FORMAT",
        I,
        cond(json!({"StringEquals": {"SourceIp": "x"}})),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_GLOBAL_CONDITION_KEY",
        I,
        cond(json!({"ArnEquals": {"aws:ARN": "arn:aws:iam::111122223333:user/x"}})),
        good.clone(),
    );
    pair(
        "INVALID_SERVICE",
        I,
        cond(json!({"StringEquals": {"s4:prefix": "x"}})),
        good.clone(),
    );
    pair(
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        I,
        cond(json!({"StringEquals": {"aws:PrincipalTag/Team": "a", "aws:principaltag/team": "b"}})),
        good.clone(),
    );
    pair(
        "MISSING_QUALIFIER",
        I,
        cond(json!({"StringEquals": {"aws:TagKeys": "env"}})),
        cond(json!({"ForAllValues:StringEquals": {"aws:TagKeys": "env"}})),
    );
    pair(
        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
        I,
        cond(json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
        cond(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
    );
    pair(
        "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS",
        I,
        cond(json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
        cond(json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}})),
    );
    pair(
        "INVALID_VARIABLE_FOR_OPERATOR",
        I,
        cond(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "${aws:username}"}})),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_CONDITION",
        I,
        cond(json!({"StringEquals": {"aws:PrincipalTag/x": []}})),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_CONDITION_FORALLVALUES",
        I,
        cond(json!({"ForAllValues:StringEquals": {"aws:TagKeys": []}})),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        I,
        cond(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": []}})),
        good.clone(),
    );
    pair(
        "EMPTY_ARRAY_CONDITION_IFEXISTS",
        I,
        cond(json!({"StringEqualsIfExists": {"aws:PrincipalTag/x": []}})),
        good.clone(),
    );
    pair("EMPTY_OBJECT_CONDITION", I, cond(json!({})), good.clone());
    pair(
        "INVALID_CONDITION_DATA_TYPE",
        I,
        cond(json!({"StringEquals": {"aws:PrincipalTag/x": ["a", 1]}})),
        good.clone(),
    );
    pair(
        "IMPROVE_IP_RANGE",
        I,
        cond(json!({"IpAddress": {"aws:SourceIp": "203.0.113.5/24"}})),
        cond(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    );
    pair(
        "PRIVATE_IP_ADDRESS",
        I,
        cond(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        good.clone(),
    );
    pair(
        "PRIVATE_IP_ADDRESS_SUBSET",
        I,
        cond(json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}})),
        good.clone(),
    );
    pair(
        "PRIVATE_NOT_IP_ADDRESS",
        I,
        cond(json!({"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}})),
        good.clone(),
    );
    pair(
        "REDUNDANT_CONDITION_VALUE_NUM",
        I,
        cond(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": ["2700", "3600"]}})),
        good.clone(),
    );
    pair(
        "INVALID_VPC_FORMAT",
        I,
        cond(json!({"StringEquals": {"aws:SourceVpc": "vpc-123"}})),
        cond(json!({"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}})),
    );
    pair(
        "INVALID_VPCE_FORMAT",
        I,
        cond(json!({"StringEquals": {"aws:SourceVpce": "vpce-1"}})),
        cond(json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})),
    );
    pair(
        "INVALID_REGION",
        I,
        cond(json!({"StringEquals": {"aws:RequestedRegion": "us-east-one"}})),
        cond(json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}})),
    );
    pair(
        "MISSING_PAIRED_CONDITION_KEYS",
        I,
        cond(json!({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}})),
        cond(
            json!({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}, "StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}),
        ),
    );
    let list = |effect: &str, op: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {op: {"s3:prefix": "home/"}}}]});
    pair(
        "S3_PREFIX_IN_NEGATIVE_CONTEXT",
        I,
        list("Deny", "StringLike"),
        list("Allow", "StringLike"),
    );
    let tag = |actions: Value| {
        allow(
            json!({"Action": actions, "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}}),
        )
    };
    pair(
        "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        I,
        tag(json!(["ec2:StartInstances", "s3:ListAllMyBuckets"])),
        tag(json!("ec2:StartInstances")),
    );
    let dynamo = |c: Value| {
        allow(
            json!({"Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/t", "Condition": c}),
        )
    };
    pair(
        "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT",
        I,
        dynamo(json!({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id"]}})),
        dynamo(
            json!({"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id"]}, "StringEquals": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}),
        ),
    );
    let list_objects = |key: &str| {
        allow(
            json!({"Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*", "Condition": {"StringLike": {key: "home/*"}}}),
        )
    };
    pair(
        "UNSUPPORTED_ACTION_FOR_CONDITION_KEY",
        I,
        list_objects("s3:prefix"),
        list_objects("s3:ExistingObjectTag/team"),
    );
}

#[test]
fn grant_checks() {
    use PolicyKind::Identity as I;
    let st = |s: Value| allow(s);
    pair(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        I,
        st(json!({"Action": "iam:PassRole", "Resource": "*"})),
        st(json!({"Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app"})),
    );
    pair(
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        I,
        st(json!({"Action": "iam:Pass*", "Resource": "*"})),
        st(json!({"Action": "iam:Get*", "Resource": "*"})),
    );
    pair(
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        I,
        st(json!({"NotAction": "s3:*", "Resource": "*"})),
        st(json!({"NotAction": "iam:*", "Resource": "*"})),
    );
    pair(
        "PASS_ROLE_WITH_NOT_RESOURCE",
        I,
        st(
            json!({"Action": "iam:PassRole", "NotResource": "arn:aws:iam::111122223333:role/admin"}),
        ),
        st(json!({"Action": "iam:GetRole", "NotResource": "arn:aws:iam::111122223333:role/admin"})),
    );
    pair(
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        I,
        st(json!({"Action": "iam:CreateServiceLinkedRole", "Resource": "*"})),
        st(
            json!({"Action": "iam:CreateServiceLinkedRole", "Resource": "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}),
        ),
    );
    pair(
        "ALLOW_WITH_NOT_ACTION",
        I,
        st(json!({"NotAction": "iam:*", "Resource": "*"})),
        st(json!({"Action": "s3:GetObject", "Resource": "*"})),
    );
    pair(
        "ALLOW_WITH_NOT_RESOURCE",
        I,
        st(json!({"Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"})),
        st(json!({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})),
    );
    pair(
        "FULL_ACCESS",
        I,
        st(json!({"Action": "s3:*", "Resource": "*"})),
        st(json!({"Action": "s3:Get*", "Resource": "*"})),
    );
}

#[test]
fn policy_kinds() {
    use PolicyKind::*;
    let trust = |s: Value| json!({"Version": "2012-10-17", "Statement": [s]});
    let good = trust(
        json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}),
    );
    assert_eq!(codes(good.clone(), Trust), Vec::<&str>::new());
    pair(
        "MISSING_PRINCIPAL",
        Trust,
        trust(json!({"Effect": "Allow", "Action": "sts:AssumeRole"})),
        good.clone(),
    );
    pair(
        "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}),
        ),
        good.clone(),
    );
    pair(
        "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
        Trust,
        trust(
            json!({"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}),
        ),
        good.clone(),
    );
    pair(
        "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        Trust,
        trust(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"})),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_ACTION_IN_POLICY",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}),
        ),
        good.clone(),
    );
    pair(
        "INVALID_PRINCIPAL_KEY",
        Trust,
        trust(json!({"Effect": "Allow", "Principal": {"User": "bob"}, "Action": "sts:AssumeRole"})),
        good.clone(),
    );
    pair(
        "INVALID_PRINCIPAL_FORMAT",
        Trust,
        trust(json!({"Effect": "Allow", "Principal": "111122223333", "Action": "sts:AssumeRole"})),
        good.clone(),
    );
    pair(
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/dev-*"}, "Action": "sts:AssumeRole"}),
        ),
        good.clone(),
    );
    pair(
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": "EC2"}, "Action": "sts:AssumeRole"}),
        ),
        good.clone(),
    );
    pair(
        "INVALID_ROLE_REFERENCE",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"AWS": "AROAEXAMPLEID"}, "Action": "sts:AssumeRole"}),
        ),
        good.clone(),
    );
    let github = |c: Value| {
        trust(
            json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": c}),
        )
    };
    let pinned = github(
        json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}),
    );
    assert_eq!(codes(pinned.clone(), Trust), Vec::<&str>::new());
    pair(
        "MISSING_GITHUB_REPO_CONDITION_KEY",
        Trust,
        github(
            json!({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}),
        ),
        pinned.clone(),
    );
    pair(
        "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
        Trust,
        github(json!({"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}})),
        pinned.clone(),
    );
    let google = |c: Value| {
        trust(
            json!({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": c}),
        )
    };
    pair(
        "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
        Trust,
        google(json!({"Bool": {"aws:SecureTransport": "true"}})),
        google(json!({"StringEquals": {"accounts.google.com:aud": "my-app"}})),
    );
    pair(
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRole"}),
        ),
        trust(
            json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/okta"}, "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}),
        ),
    );
    pair(
        "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        ),
        trust(
            json!({"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]}),
        ),
    );
    pair(
        "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
        Trust,
        trust(
            json!({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/ci", "arn:aws:sts::111122223333:assumed-role/ci/build"]}, "Action": "sts:AssumeRole"}),
        ),
        good.clone(),
    );
    pair(
        "FEDERATED_PRINCIPAL_NOT_SUPPORTED",
        Resource,
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
    );
    let bucket = |p: Value, effect: &str| json!({"Version": "2012-10-17", "Statement": [{"Effect": effect, "NotPrincipal": p, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]});
    pair(
        "NOT_PRINCIPAL_WITHOUT_ACCOUNT",
        Resource,
        bucket(json!({"AWS": "arn:aws:iam::111122223333:user/bob"}), "Deny"),
        bucket(
            json!({"AWS": ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:root"]}),
            "Deny",
        ),
    );
    pair(
        "ALLOW_WITH_NOT_PRINCIPAL",
        Resource,
        bucket(json!({"AWS": "arn:aws:iam::111122223333:root"}), "Allow"),
        bucket(json!({"AWS": "arn:aws:iam::111122223333:root"}), "Deny"),
    );
    let svc = |c: Value| json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*", "Condition": c}]});
    pair(
        "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
        Resource,
        svc(json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})),
        svc(json!({"StringEquals": {"aws:SourceAccount": "111122223333"}})),
    );
    let scp = |s: Value| json!({"Version": "2012-10-17", "Statement": [s]});
    pair(
        "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
        Scp,
        scp(json!({"Effect": "Deny", "Action": "iam:*Role", "Resource": "*"})),
        scp(json!({"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"})),
    );
    pair(
        "SCP_SYNTAX_ERROR_PRINCIPAL",
        Scp,
        scp(json!({"Effect": "Deny", "Principal": "*", "Action": "iam:Delete*", "Resource": "*"})),
        scp(json!({"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"})),
    );
    let rcp = |s: Value| json!({"Version": "2012-10-17", "Statement": [s]});
    let rcp_good = rcp(
        json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}),
    );
    pair(
        "RCP_SYNTAX_ERROR_PRINCIPAL",
        Rcp,
        rcp(
            json!({"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}),
        ),
        rcp_good.clone(),
    );
    pair(
        "RCP_SYNTAX_ERROR_NOTACTION",
        Rcp,
        rcp(json!({"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"})),
        rcp_good.clone(),
    );
    pair(
        "RCP_SYNTAX_ERROR_ACTION",
        Rcp,
        rcp(json!({"Effect": "Deny", "Principal": "*", "Action": "ec2:*", "Resource": "*"})),
        rcp_good.clone(),
    );
    pair(
        "RCP_SYNTAX_ERROR_ALLOW",
        Rcp,
        rcp(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
        ),
        rcp_good.clone(),
    );
    let boundary = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]});
    assert!(codes(boundary, Boundary).contains(&"UNSUPPORTED_PRINCIPAL"));
    let big = json!({"Version": "2012-10-17", "Statement": (0..200).map(|i| json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::bucket-number-{i}/*")})).collect::<Vec<_>>()});
    assert!(codes(big, I).contains(&"POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"));
}

use PolicyKind::Identity as I;

#[test]
fn whitespace_and_fingerprints() {
    for text in [
        "",
        "arn:aws:s3:::bucket/*",
        "a b\tc\nd\re\x0cf\x0bg h",
        "        ",
        "no-spaces-in-this-long-string-at-all",
        "ünïcödé with spaces and more than eight bytes ",
    ] {
        let naive = text.bytes().filter(u8::is_ascii_whitespace).count();
        assert_eq!(whitespace(text), naive, "{text:?}");
    }
    let a = json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}});
    let b = json!({"Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}, "Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow"});
    assert_eq!(a, b);
    assert_eq!(measure(&a).0, measure(&b).0);
    let compact = serde_json::to_string(&a).unwrap();
    assert_eq!(measure(&a).1, compact.len(), "{compact}");
    let c = json!({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}});
    assert_ne!(measure(&a), measure(&c), "list order counts");
    let doc = json!({"Version": "2012-10-17", "Statement": [a, b]});
    assert!(codes(doc, PolicyKind::Identity).contains(&"REDUNDANT_STATEMENT"));
}
