//! The shapes analysis results share: statements that grant, conditions, escalation paths.

use crate::policy::Effect;
use crate::policy::account::{Account, ConditionRef, EscalationPath, Reach, StatementRef};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// A statement that grants (or limits) access.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct GrantRef {
    /// inline, managed, aws-managed, boundary, trust or resource.
    #[serde(rename = "PolicyType")]
    pub policy_type: String,
    #[serde(rename = "PolicyName")]
    pub policy_name: String,
    /// A managed policy's ARN.
    #[serde(rename = "PolicyArn", default, skip_serializing_if = "Option::is_none")]
    pub policy_arn: Option<String>,
    /// The group the policy comes through.
    #[serde(rename = "Group", default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The statement's Sid.
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Its position in the policy (0-based).
    #[serde(rename = "StatementIndex")]
    pub statement_index: usize,
}

impl From<&StatementRef> for GrantRef {
    fn from(r: &StatementRef) -> Self {
        GrantRef {
            policy_type: r.policy_type.to_string(),
            policy_name: r.policy_name.clone(),
            policy_arn: r.policy_arn.clone(),
            group: r.group.clone(),
            sid: r.sid.clone(),
            statement_index: r.statement_index,
        }
    }
}

/// A condition a conditional decision depends on.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ConditionOut {
    /// `must hold` (an Allow's condition) or `must not hold` (a Deny's).
    #[serde(rename = "Requirement")]
    pub requirement: String,
    /// The Condition element: {operator: {key: [values]}}.
    #[serde(rename = "Condition")]
    pub condition: serde_json::Map<String, Value>,
    #[serde(rename = "Statement")]
    pub statement: GrantRef,
}

impl From<&ConditionRef> for ConditionOut {
    fn from(c: &ConditionRef) -> Self {
        ConditionOut {
            requirement: match c.effect {
                Effect::Allow => "must hold",
                Effect::Deny => "must not hold",
            }
            .to_string(),
            condition: c.condition.as_object().cloned().unwrap_or_default(),
            statement: GrantRef::from(&c.statement),
        }
    }
}

/// One call of an escalation path.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EscalationStep {
    /// Who makes the call: the path's From, or a principal an earlier step became.
    #[serde(rename = "Actor")]
    pub actor: String,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Resource")]
    pub resource: String,
    /// The principal the step acts on or becomes.
    #[serde(rename = "Target", default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What the step does.
    #[serde(rename = "Does")]
    pub does: String,
    /// allowed or conditional.
    #[serde(rename = "Decision")]
    pub decision: String,
    /// Context keys the decision assumed (iam:PassedToService, iam:PolicyARN).
    #[serde(
        rename = "Context",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub context: BTreeMap<String, String>,
    #[serde(rename = "GrantedBy")]
    pub granted_by: Vec<GrantRef>,
    #[serde(rename = "Conditions", default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionOut>,
}

/// One principal's shortest way up.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct EscalationPathOut {
    #[serde(rename = "From")]
    pub from: String,
    /// "admin", or the ARN of the principal asked about (target_arn).
    #[serde(rename = "Reaches")]
    pub reaches: String,
    /// True when a step is allowed only under conditions.
    #[serde(rename = "Conditional")]
    pub conditional: bool,
    #[serde(rename = "Steps")]
    pub steps: Vec<EscalationStep>,
}

/// A path of the model in the tools' shape.
pub fn path_out(account: &Account, path: &EscalationPath) -> EscalationPathOut {
    let arn = |i: usize| account.principals[i].arn.clone();
    EscalationPathOut {
        from: arn(path.from),
        reaches: match path.reaches {
            Reach::Admin => "admin".to_string(),
            Reach::Principal(t) => arn(t),
        },
        conditional: path.conditional(),
        steps: path
            .steps
            .iter()
            .map(|s| EscalationStep {
                actor: arn(s.actor),
                action: s.action.clone(),
                resource: s.resource.clone(),
                target: s.target.map(arn),
                does: s.does.clone(),
                decision: s.decided.access.as_str().to_string(),
                context: s.context.iter().cloned().collect(),
                granted_by: s.decided.granted_by.iter().map(GrantRef::from).collect(),
                conditions: s
                    .decided
                    .conditions
                    .iter()
                    .map(ConditionOut::from)
                    .collect(),
            })
            .collect(),
    }
}
