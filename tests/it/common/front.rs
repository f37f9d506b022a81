//! The IAM front door: an HTTP/1.1 server on 127.0.0.1 that sits in front of a running moto
//! server, to be used as the AWS_ENDPOINT_URL of the server under test and of SDK clients.
//!
//! - Forwarding: every request is forwarded verbatim to moto (one TCP connection to moto per
//!   request; moto's whole response, `Connection: close` and Content-Length, is written back
//!   as it came, interim `100 Continue` answers dropped), except the ones below. On the
//!   client side a connection is kept alive for several requests, each one framed by its
//!   Content-Length (a chunked request body is answered 411); it is closed after a response
//!   that says `Connection: close` (moto's do) or when the client asked for it.
//! - Service-specific credentials, which moto 5.2.5 does not implement, are kept in memory:
//!   Create/List/Update/Reset/DeleteServiceSpecificCredential answer with the IAM Query API's
//!   XML shapes and errors. Create and List (with a UserName) check that the user exists by
//!   sending moto a GetUser of their own (signed with the caller's Authorization header; moto
//!   does not check signatures); that GetUser is neither recorded in `actions()` nor subject
//!   to faults. The user's account id for `ServiceUserName` is read from that user's ARN.
//!   Like IAM: at most two credentials per user and service (LimitExceeded), the services are
//!   codecommit, cassandra, bedrock and logs `.amazonaws.com` (NotSupportedService otherwise),
//!   CredentialAgeDays only for the API-key services (bedrock, logs), whose credentials carry a
//!   ServiceCredentialAlias/ServiceCredentialSecret (an approximation of IAM's format) instead of
//!   ServiceUserName/ServicePassword. Without UserName, Update/Reset/Delete find the credential
//!   by its id among all users, and List answers an empty list (moto's caller is no IAM user)
//!   unless AllUsers=true. Marker/MaxItems page the list.
//! - DeleteUser of a user who still has service-specific credentials answers DeleteConflict
//!   (409), as IAM does; any other DeleteUser is forwarded.
//! - Permissions boundaries, which moto 5.2.5 only half holds (no Put/DeleteUserPermissions-
//!   Boundary, no boundary uses in ListEntitiesForPolicy, DeletePolicy allowed while a policy
//!   is a boundary), are recorded in memory: which user or role has which policy as its
//!   boundary. That record is what ListEntitiesForPolicy and DeletePolicy consult.
//!   - PutUserPermissionsBoundary and DeleteUserPermissionsBoundary are answered from the
//!     record; the user must exist (a GetUser of the front door's own, as for credentials).
//!     GetUser of a user with a boundary shows it (added to moto's answer).
//!   - PutRolePermissionsBoundary and DeleteRolePermissionsBoundary are also forwarded to
//!     moto, which implements them, so GetRole shows the boundary as moto holds it; the
//!     record follows moto's answer (changed only when moto accepted the call). The role
//!     must exist (GetRole).
//!   - Both Puts check that the policy exists (GetPolicy): NoSuchEntity otherwise (moto
//!     accepts any ARN for a role).
//!   - ListEntitiesForPolicy with PolicyUsageFilter=PermissionsBoundary is answered from the
//!     record (users and roles; EntityFilter, PathPrefix, Marker and MaxItems honoured;
//!     NoSuchEntity for a policy moto does not have); with PermissionsPolicy it is forwarded
//!     (moto ignores the filter and lists attachments only, which is what it asks for);
//!     without a filter moto's answer gets the boundary uses it lacks added, as IAM lists
//!     both kinds of use then.
//!   - DeletePolicy of a policy that is some user's or role's boundary answers DeleteConflict
//!     (409, IAM's "Cannot delete a policy attached to entities."). DeleteUser and DeleteRole
//!     are not refused for a boundary (IAM deletes an entity that has one); once moto deleted
//!     the entity, its boundary is forgotten.
//!   - Not emulated: boundaries given to CreateUser (moto drops them) or CreateRole (moto
//!     keeps them, the record does not know them), PermissionsBoundaryUsageCount (GetPolicy,
//!     ListPolicies), and boundaries in ListUsers or GetAccountAuthorizationDetails.
//! - Fault injection: `fail(action, contains, times, code, message)` answers the next `times`
//!   requests of that action whose decoded body contains `contains` with that IAM error,
//!   instead of forwarding or handling them. Faults are checked before anything else.
//! - `actions()`: every Action received, in order (faulted ones included).
#![allow(dead_code)]

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::timeout;

const IAM_XMLNS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
/// A client connection idle this long is closed.
const CLIENT_IDLE: Duration = Duration::from_secs(120);
/// Bounds on talking to moto, and on writing an answer back to a client.
const MOTO_CONNECT: Duration = Duration::from_secs(10);
const MOTO_ANSWER: Duration = Duration::from_secs(60);
const CLIENT_WRITE: Duration = Duration::from_secs(60);
/// A request (head and body) larger than this is refused.
const MAX_REQUEST: usize = 32 * 1024 * 1024;
/// IAM's quota of service-specific credentials per user and service.
const PER_USER_PER_SERVICE: usize = 2;

/// The HTTP status IAM answers an error code with (from the IAM service model): 404 for
/// NoSuchEntity and NotSupportedService, 409 for the conflicts and limits, 403 for
/// AccessDenied and InvalidAuthenticationCode, 410 ReportNotPresent, 500 ServiceFailure,
/// 503 ServiceUnavailable, 400 for everything else.
pub fn error_status(code: &str) -> u16 {
    match code {
        "NoSuchEntity" | "NotSupportedService" => 404,
        "DeleteConflict"
        | "EntityAlreadyExists"
        | "LimitExceeded"
        | "ConcurrentModification"
        | "EntityTemporarilyUnmodifiable"
        | "ReportGenerationLimitExceeded"
        | "DuplicateCertificate" => 409,
        "AccessDenied"
        | "AccessDeniedException"
        | "InvalidAuthenticationCode"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => 403,
        "ReportNotPresent" => 410,
        "ServiceFailure" | "InternalFailure" => 500,
        "ServiceUnavailable" => 503,
        _ => 400,
    }
}

/// The front door; its accept loop (and every connection it serves) stops on drop.
pub struct Front {
    address: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Front {
    /// Starts in front of moto's endpoint (`http://127.0.0.1:PORT`, as `Moto::endpoint`).
    pub async fn start(moto_endpoint: &str) -> Front {
        let moto = moto_endpoint
            .trim()
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            moto.contains(':'),
            "the front door needs moto's endpoint as http://HOST:PORT, not {moto_endpoint:?}"
        );
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the IAM front door on 127.0.0.1");
        let address = listener.local_addr().unwrap();
        let state = Arc::new(State::new(moto));
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            // Owned by this task: aborting it drops the set, which aborts every connection.
            let mut connections = JoinSet::new();
            loop {
                while connections.try_join_next().is_some() {}
                match listener.accept().await {
                    Ok((socket, _)) => {
                        connections.spawn(serve(socket, accept_state.clone()));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        Front {
            address,
            state,
            task,
        }
    }

    /// The endpoint to use as AWS_ENDPOINT_URL / `endpoint_url`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// An SDK client of its own talking to the front door (built as `Moto::sdk` builds one).
    pub fn sdk(&self) -> aws_sdk_iam::Client {
        let config = aws_sdk_iam::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
            .endpoint_url(self.endpoint())
            .http_client(iam_tools::backend::http_client())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// The next `times` requests whose Action is `action` and whose percent-decoded body
    /// contains `contains` (empty: any) are answered with this IAM error, at
    /// `error_status(code)`. Faults are matched in the order they were added. Note that
    /// the SDK retries 5xx and throttling errors, and every retry consumes one of `times`.
    pub fn fail(&self, action: &str, contains: &str, times: usize, code: &str, message: &str) {
        if times == 0 {
            return;
        }
        lock(&self.state.faults).push(Fault {
            action: action.to_string(),
            contains: contains.to_string(),
            remaining: times,
            code: code.to_string(),
            message: message.to_string(),
        });
    }

    /// Faults not yet used up, as (action, contains, remaining times).
    pub fn pending_faults(&self) -> Vec<(String, String, usize)> {
        lock(&self.state.faults)
            .iter()
            .map(|f| (f.action.clone(), f.contains.clone(), f.remaining))
            .collect()
    }

    /// Every Action received, in order (faulted and locally answered ones included).
    pub fn actions(&self) -> Vec<String> {
        lock(&self.state.seen)
            .iter()
            .map(|(action, _)| action.clone())
            .collect()
    }

    /// The percent-decoded body of every request with an Action, in the order of `actions()`.
    pub fn bodies(&self) -> Vec<String> {
        lock(&self.state.seen)
            .iter()
            .map(|(_, body)| body.clone())
            .collect()
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Fault {
    action: String,
    contains: String,
    remaining: usize,
    code: String,
    message: String,
}

struct State {
    /// moto's HOST:PORT.
    moto: String,
    faults: Mutex<Vec<Fault>>,
    /// (Action, decoded body) of every request with an Action.
    seen: Mutex<Vec<(String, String)>>,
    store: Mutex<Store>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// CodeCommit, Keyspaces: a service user name and password.
    Password,
    /// Bedrock, CloudWatch Logs: an API key (alias and secret), optionally expiring.
    ApiKey,
}

fn service_kind(service: &str) -> Option<Kind> {
    match service {
        "codecommit.amazonaws.com" | "cassandra.amazonaws.com" => Some(Kind::Password),
        "bedrock.amazonaws.com" | "logs.amazonaws.com" => Some(Kind::ApiKey),
        _ => None,
    }
}

#[derive(Clone)]
struct Credential {
    id: String,
    user: String,
    service: String,
    kind: Kind,
    /// ServiceUserName (Password kind) or ServiceCredentialAlias (ApiKey kind).
    name: String,
    /// ServicePassword or ServiceCredentialSecret; only ever shown by Create and Reset.
    secret: String,
    status: String,
    created: u64,
    expires: Option<u64>,
}

impl Credential {
    fn status_now(&self) -> &str {
        match self.expires {
            Some(expires) if expires <= now() => "Expired",
            _ => &self.status,
        }
    }

    /// A ServiceSpecificCredential (with its secret), elements in the model's order.
    fn full_xml(&self) -> String {
        let mut xml = String::from("<ServiceSpecificCredential>");
        xml += &element("CreateDate", &iso8601(self.created));
        if let Some(expires) = self.expires {
            xml += &element("ExpirationDate", &iso8601(expires));
        }
        xml += &element("ServiceName", &self.service);
        match self.kind {
            Kind::Password => {
                xml += &element("ServiceUserName", &self.name);
                xml += &element("ServicePassword", &self.secret);
            }
            Kind::ApiKey => {
                xml += &element("ServiceCredentialAlias", &self.name);
                xml += &element("ServiceCredentialSecret", &self.secret);
            }
        }
        xml += &element("ServiceSpecificCredentialId", &self.id);
        xml += &element("UserName", &self.user);
        xml += &element("Status", self.status_now());
        xml + "</ServiceSpecificCredential>"
    }

    /// A ServiceSpecificCredentialMetadata list member (no secret).
    fn member_xml(&self) -> String {
        let mut xml = String::from("<member>");
        xml += &element("UserName", &self.user);
        xml += &element("Status", self.status_now());
        match self.kind {
            Kind::Password => xml += &element("ServiceUserName", &self.name),
            Kind::ApiKey => xml += &element("ServiceCredentialAlias", &self.name),
        }
        xml += &element("CreateDate", &iso8601(self.created));
        if let Some(expires) = self.expires {
            xml += &element("ExpirationDate", &iso8601(expires));
        }
        xml += &element("ServiceSpecificCredentialId", &self.id);
        xml += &element("ServiceName", &self.service);
        xml + "</member>"
    }
}

struct Store {
    /// In creation order.
    credentials: Vec<Credential>,
    /// Who has which permissions boundary, in the order they were set.
    boundaries: Vec<BoundaryUse>,
    rng: u64,
}

/// An IAM identity that can have a permissions boundary.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Entity {
    User,
    Role,
}

impl Entity {
    /// The request member that names it.
    fn member(self) -> &'static str {
        match self {
            Entity::User => "UserName",
            Entity::Role => "RoleName",
        }
    }

    /// How IAM's messages name its kind.
    fn word(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Role => "role",
        }
    }
}

/// A user or role whose permissions boundary is `policy`.
#[derive(Clone, Debug)]
struct BoundaryUse {
    entity: Entity,
    name: String,
    /// UserId or RoleId, and path, as moto gave them when the boundary was set.
    id: String,
    path: String,
    policy: String,
}

impl BoundaryUse {
    /// A PolicyUser or PolicyRole list member.
    fn member_xml(&self) -> String {
        match self.entity {
            Entity::User => format!(
                "<member>{}{}</member>",
                element("UserName", &self.name),
                element("UserId", &self.id)
            ),
            Entity::Role => format!(
                "<member>{}{}</member>",
                element("RoleName", &self.name),
                element("RoleId", &self.id)
            ),
        }
    }
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

impl Store {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn random(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    fn request_id(&mut self) -> String {
        let hex = self.random(b"0123456789abcdef", 32);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    fn new_id(&mut self) -> String {
        loop {
            let id = format!("ACCA{}", self.random(UPPER_ALNUM, 17));
            if !self.credentials.iter().any(|c| c.id == id) {
                return id;
            }
        }
    }

    fn new_secret(&mut self, kind: Kind) -> String {
        match kind {
            Kind::Password => format!("{}=", self.random(BASE64, 43)),
            Kind::ApiKey => self.random(BASE64, 64),
        }
    }

    /// `user-at-ACCOUNT`, then `user+1-at-ACCOUNT`, ... (unused among the user's ones).
    fn new_name(&self, user: &str, service: &str, account: &str) -> String {
        (0..)
            .map(|n| {
                if n == 0 {
                    format!("{user}-at-{account}")
                } else {
                    format!("{user}+{n}-at-{account}")
                }
            })
            .find(|name| {
                !self
                    .credentials
                    .iter()
                    .any(|c| c.user == user && c.service == service && &c.name == name)
            })
            .unwrap()
    }

    /// The credential `id` (of `user` when given).
    fn find(&self, id: &str, user: Option<&str>) -> Result<usize, Reply> {
        self.credentials
            .iter()
            .position(|c| c.id == id && user.is_none_or(|u| c.user == u))
            .ok_or_else(|| {
                Reply::error(
                    "NoSuchEntity",
                    &format!("The Service Specific Credential with ID {id} cannot be found."),
                )
            })
    }
}

/// What the front door answers itself.
enum Reply {
    /// The inside of `<{Action}Result>`, or None for an action without a result.
    Ok(Option<String>),
    Error {
        code: String,
        message: String,
    },
}

impl Reply {
    fn error(code: &str, message: &str) -> Reply {
        Reply::Error {
            code: code.to_string(),
            message: message.to_string(),
        }
    }
}

struct Request {
    /// The request exactly as received (head and body).
    raw: Vec<u8>,
    body: Vec<u8>,
    authorization: Option<String>,
    /// The client asked to close the connection after this request.
    close: bool,
}

enum Parsed {
    Complete(Request, usize),
    Incomplete { expect_continue: bool },
    Refused(u16, &'static str),
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The header values of an HTTP head (lower-cased names).
fn headers(head: &str) -> impl Iterator<Item = (String, String)> + '_ {
    head.split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
}

fn parse_request(buffer: &[u8]) -> Parsed {
    let Some(head_end) = find(buffer, b"\r\n\r\n") else {
        return Parsed::Incomplete {
            expect_continue: false,
        };
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut length = 0usize;
    let mut expect_continue = false;
    let mut authorization = None;
    let mut close = head
        .lines()
        .next()
        .unwrap_or_default()
        .ends_with("HTTP/1.0");
    for (name, value) in headers(&head) {
        match name.as_str() {
            "content-length" => match value.parse() {
                Ok(n) => length = n,
                Err(_) => return Parsed::Refused(400, "Bad Request"),
            },
            "transfer-encoding" if value.to_ascii_lowercase().contains("chunked") => {
                return Parsed::Refused(411, "Length Required");
            }
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            "authorization" => authorization = Some(value),
            "connection" if value.eq_ignore_ascii_case("close") => close = true,
            "connection" if value.eq_ignore_ascii_case("keep-alive") => close = false,
            _ => {}
        }
    }
    let end = head_end + 4 + length;
    if end > MAX_REQUEST {
        return Parsed::Refused(413, "Payload Too Large");
    }
    if buffer.len() < end {
        return Parsed::Incomplete { expect_continue };
    }
    let request = Request {
        raw: buffer[..end].to_vec(),
        body: buffer[head_end + 4..end].to_vec(),
        authorization,
        close,
    };
    Parsed::Complete(request, end)
}

/// One client connection: requests one after another (keep-alive).
async fn serve(mut socket: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    let mut continued = false;
    loop {
        let request = loop {
            match parse_request(&buffer) {
                Parsed::Complete(request, used) => {
                    buffer.drain(..used);
                    break request;
                }
                Parsed::Incomplete { expect_continue } => {
                    if expect_continue && !continued {
                        continued = true;
                        if socket
                            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                Parsed::Refused(status, reason) => {
                    let response = format!(
                        "HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    let _ = timeout(CLIENT_WRITE, socket.write_all(response.as_bytes())).await;
                    return;
                }
            }
            let mut chunk = [0u8; 16 * 1024];
            match timeout(CLIENT_IDLE, socket.read(&mut chunk)).await {
                Ok(Ok(n)) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
                _ => return, // closed, failed or idle
            }
        };
        continued = false;
        let (response, close) = state.answer(&request).await;
        match timeout(CLIENT_WRITE, socket.write_all(&response)).await {
            Ok(Ok(())) => {}
            _ => return,
        }
        if close || request.close {
            let _ = timeout(CLIENT_WRITE, socket.shutdown()).await;
            return;
        }
    }
}

impl State {
    fn new(moto: String) -> State {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64;
        static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = STARTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let seed =
            (nanos ^ (u64::from(std::process::id()) << 32) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                | 1;
        State {
            moto,
            faults: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            store: Mutex::new(Store {
                credentials: Vec::new(),
                boundaries: Vec::new(),
                rng: seed,
            }),
        }
    }

    /// The response to one request, and whether to close the connection after it.
    async fn answer(&self, request: &Request) -> (Vec<u8>, bool) {
        let params = form(&request.body);
        let Some(action) = param(&params, "Action").map(str::to_string) else {
            return self.forward(request).await;
        };
        let decoded = percent_decode(&request.body);
        lock(&self.seen).push((action.clone(), decoded.clone()));
        if let Some((code, message)) = self.take_fault(&action, &decoded) {
            return (
                self.response(&action, Reply::Error { code, message }),
                false,
            );
        }
        let reply = match action.as_str() {
            "CreateServiceSpecificCredential" => self.create(request, &params).await,
            "ListServiceSpecificCredentials" => self.list(request, &params).await,
            "UpdateServiceSpecificCredential" => self.update(&params),
            "ResetServiceSpecificCredential" => self.reset(&params),
            "DeleteServiceSpecificCredential" => self.delete(&params),
            "DeleteUser" => match self.delete_user_conflict(&params) {
                Some(reply) => reply,
                None => {
                    return self
                        .forward_then_forget(request, Entity::User, &params)
                        .await;
                }
            },
            "DeleteRole" => {
                return self
                    .forward_then_forget(request, Entity::Role, &params)
                    .await;
            }
            "PutUserPermissionsBoundary" => {
                match self.boundary_use(request, &params, Entity::User).await {
                    Ok(found) => {
                        self.record(found);
                        Reply::Ok(None)
                    }
                    Err(reply) => reply,
                }
            }
            "DeleteUserPermissionsBoundary" => {
                match self.existing(request, &params, Entity::User).await {
                    Ok((name, _, _)) => {
                        self.forget(Entity::User, &name);
                        Reply::Ok(None)
                    }
                    Err(reply) => reply,
                }
            }
            "PutRolePermissionsBoundary" => {
                match self.boundary_use(request, &params, Entity::Role).await {
                    Ok(found) => {
                        let (response, close) = self.forward(request).await;
                        if status_of(&response) == 200 {
                            self.record(found);
                        }
                        return (response, close);
                    }
                    Err(reply) => reply,
                }
            }
            "DeleteRolePermissionsBoundary" => {
                return self
                    .forward_then_forget(request, Entity::Role, &params)
                    .await;
            }
            "ListEntitiesForPolicy" => return self.entities_for_policy(request, &params).await,
            "DeletePolicy" => match self.delete_policy_conflict(&params) {
                Some(reply) => reply,
                None => return self.forward(request).await,
            },
            "GetUser" => return self.get_user(request, &params).await,
            _ => return self.forward(request).await,
        };
        (self.response(&action, reply), false)
    }

    fn take_fault(&self, action: &str, decoded: &str) -> Option<(String, String)> {
        let mut faults = lock(&self.faults);
        let index = faults
            .iter()
            .position(|f| f.action == action && f.remaining > 0 && decoded.contains(&f.contains))?;
        let fault = &mut faults[index];
        fault.remaining -= 1;
        let answer = (fault.code.clone(), fault.message.clone());
        if fault.remaining == 0 {
            faults.remove(index);
        }
        Some(answer)
    }

    /// An HTTP response in IAM's Query API shape.
    fn response(&self, action: &str, reply: Reply) -> Vec<u8> {
        let request_id = lock(&self.store).request_id();
        let (status, xml) = match reply {
            Reply::Ok(result) => {
                let result = result
                    .map(|r| format!("<{action}Result>{r}</{action}Result>"))
                    .unwrap_or_default();
                (
                    200,
                    format!(
                        "<{action}Response xmlns=\"{IAM_XMLNS}\">{result}<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
                    ),
                )
            }
            Reply::Error { code, message } => {
                let status = error_status(&code);
                let kind = if status >= 500 { "Receiver" } else { "Sender" };
                (
                    status,
                    format!(
                        "<ErrorResponse xmlns=\"{IAM_XMLNS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                        escape(&code),
                        escape(&message)
                    ),
                )
            }
        };
        format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: text/xml\r\nx-amzn-RequestId: {request_id}\r\nContent-Length: {}\r\n\r\n{xml}",
            reason(status),
            xml.len()
        )
        .into_bytes()
    }

    /// Sends the request to moto as it came; relays moto's response as it came.
    async fn forward(&self, request: &Request) -> (Vec<u8>, bool) {
        match exchange(&self.moto, &request.raw).await {
            Ok(response) => {
                let head_end = find(&response, b"\r\n\r\n").unwrap_or(response.len());
                let head = String::from_utf8_lossy(&response[..head_end]).to_string();
                let close = headers(&head)
                    .any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"));
                (response, close)
            }
            Err(error) => {
                let body = format!(
                    "IAM front door: moto at {} did not answer: {error}",
                    self.moto
                );
                let response = format!(
                    "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                (response.into_bytes(), true)
            }
        }
    }

    /// A request of the front door's own to moto (signed with the caller's Authorization
    /// header; moto does not check signatures): moto's HTTP status and body. Neither
    /// recorded in `actions()` nor subject to faults.
    async fn ask_moto(
        &self,
        request: &Request,
        action: &str,
        params: &[(&str, &str)],
    ) -> Result<(u16, String), Reply> {
        let mut body = format!("Action={action}&Version=2010-05-08");
        for (name, value) in params {
            body += &format!("&{name}={}", percent_encode(value));
        }
        let authorization = request.authorization.clone().unwrap_or_else(|| {
            "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0".to_string()
        });
        let message = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nAuthorization: {authorization}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.moto,
            body.len()
        );
        let response = exchange(&self.moto, message.as_bytes())
            .await
            .map_err(|e| {
                Reply::error(
                    "ServiceFailure",
                    &format!("IAM front door: moto's {action} failed: {e}"),
                )
            })?;
        let status = status_of(&response);
        let text = String::from_utf8_lossy(&response);
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, body)| body)
            .unwrap_or_default()
            .to_string();
        Ok((status, body))
    }

    /// The account id of an existing user, from moto's GetUser; NoSuchEntity otherwise.
    async fn user_account(&self, request: &Request, user: &str) -> Result<String, Reply> {
        let (_, body) = self.entity(request, Entity::User, user).await?;
        let arn = tag(&body, "Arn").unwrap_or_default();
        Ok(arn
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
            .unwrap_or("123456789012")
            .to_string())
    }

    /// An existing user's or role's id and moto's GetUser / GetRole answer; NoSuchEntity
    /// (with IAM's message) otherwise.
    async fn entity(
        &self,
        request: &Request,
        entity: Entity,
        name: &str,
    ) -> Result<(String, String), Reply> {
        let action = match entity {
            Entity::User => "GetUser",
            Entity::Role => "GetRole",
        };
        match self
            .ask_moto(request, action, &[(entity.member(), name)])
            .await?
        {
            (200, body) => {
                let id = tag(
                    &body,
                    if entity == Entity::User {
                        "UserId"
                    } else {
                        "RoleId"
                    },
                )
                .unwrap_or_default()
                .to_string();
                Ok((id, body))
            }
            (404, _) => Err(Reply::error(
                "NoSuchEntity",
                &format!("The {} with name {name} cannot be found.", entity.word()),
            )),
            (status, _) => Err(Reply::error(
                "ServiceFailure",
                &format!("IAM front door: moto's {action} answered HTTP {status}"),
            )),
        }
    }

    /// The request's user or role, when it exists: (name, id, path).
    async fn existing(
        &self,
        request: &Request,
        params: &[(String, String)],
        entity: Entity,
    ) -> Result<(String, String, String), Reply> {
        let camel = if entity == Entity::User {
            "userName"
        } else {
            "roleName"
        };
        let name = required(params, entity.member(), camel)?;
        let (id, body) = self.entity(request, entity, name).await?;
        let path = tag(&body, "Path").unwrap_or("/").to_string();
        Ok((name.to_string(), id, path))
    }

    /// The boundary a Put*PermissionsBoundary request sets, once its entity and policy are
    /// known to exist.
    async fn boundary_use(
        &self,
        request: &Request,
        params: &[(String, String)],
        entity: Entity,
    ) -> Result<BoundaryUse, Reply> {
        let policy = required(params, "PermissionsBoundary", "permissionsBoundary")?.to_string();
        let (name, id, path) = self.existing(request, params, entity).await?;
        match self
            .ask_moto(request, "GetPolicy", &[("PolicyArn", &policy)])
            .await?
        {
            (200, _) => Ok(BoundaryUse {
                entity,
                name,
                id,
                path,
                policy,
            }),
            (404, _) => Err(Reply::error(
                "NoSuchEntity",
                &format!("Policy {policy} does not exist or is not attachable."),
            )),
            (status, _) => Err(Reply::error(
                "ServiceFailure",
                &format!("IAM front door: moto's GetPolicy answered HTTP {status}"),
            )),
        }
    }

    /// Sets (or replaces) an entity's boundary in the record.
    fn record(&self, found: BoundaryUse) {
        let mut store = lock(&self.store);
        store
            .boundaries
            .retain(|b| !(b.entity == found.entity && b.name == found.name));
        store.boundaries.push(found);
    }

    fn forget(&self, entity: Entity, name: &str) {
        lock(&self.store)
            .boundaries
            .retain(|b| !(b.entity == entity && b.name == name));
    }

    /// Forwards the request; once moto accepted it, the entity it names has no boundary.
    async fn forward_then_forget(
        &self,
        request: &Request,
        entity: Entity,
        params: &[(String, String)],
    ) -> (Vec<u8>, bool) {
        let (response, close) = self.forward(request).await;
        if status_of(&response) == 200
            && let Some(name) = param(params, entity.member())
        {
            self.forget(entity, name);
        }
        (response, close)
    }

    /// The boundary uses of `policy` that an EntityFilter and a PathPrefix select.
    fn boundary_uses(&self, policy: &str, params: &[(String, String)]) -> Vec<BoundaryUse> {
        let prefix = param(params, "PathPrefix").unwrap_or("/");
        let wanted = |entity: Entity| match param(params, "EntityFilter") {
            Some("User") => entity == Entity::User,
            Some("Role") => entity == Entity::Role,
            Some("Group") => false,
            _ => true,
        };
        let store = lock(&self.store);
        let uses = store
            .boundaries
            .iter()
            .filter(|b| b.policy == policy && wanted(b.entity) && b.path.starts_with(prefix));
        // Users first, then roles, as IAM's answer lists them.
        let (users, roles): (Vec<BoundaryUse>, Vec<BoundaryUse>) =
            uses.cloned().partition(|b| b.entity == Entity::User);
        users.into_iter().chain(roles).collect()
    }

    async fn entities_for_policy(
        &self,
        request: &Request,
        params: &[(String, String)],
    ) -> (Vec<u8>, bool) {
        const ACTION: &str = "ListEntitiesForPolicy";
        let policy = match required(params, "PolicyArn", "policyArn") {
            Ok(policy) => policy,
            Err(reply) => return (self.response(ACTION, reply), false),
        };
        match param(params, "PolicyUsageFilter") {
            None => {
                let uses = self.boundary_uses(policy, params);
                let (response, close) = self.forward(request).await;
                if uses.is_empty() || status_of(&response) != 200 {
                    return (response, close);
                }
                (with_body(&response, |xml| merge_uses(xml, &uses)), close)
            }
            Some("PermissionsPolicy") => self.forward(request).await,
            Some("PermissionsBoundary") => {
                let reply = match self
                    .ask_moto(request, "GetPolicy", &[("PolicyArn", policy)])
                    .await
                {
                    Ok((200, _)) => self.boundary_page(policy, params),
                    Ok((404, _)) => {
                        Reply::error("NoSuchEntity", &format!("Policy {policy} was not found."))
                    }
                    Ok((status, _)) => Reply::error(
                        "ServiceFailure",
                        &format!("IAM front door: moto's GetPolicy answered HTTP {status}"),
                    ),
                    Err(reply) => reply,
                };
                (self.response(ACTION, reply), false)
            }
            Some(other) => {
                let message = format!(
                    "1 validation error detected: Value '{other}' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]"
                );
                (
                    self.response(ACTION, Reply::error("ValidationError", &message)),
                    false,
                )
            }
        }
    }

    /// One page of a policy's boundary uses (its users, then its roles).
    fn boundary_page(&self, policy: &str, params: &[(String, String)]) -> Reply {
        let (start, max_items) = match page_bounds(params) {
            Ok(bounds) => bounds,
            Err(reply) => return reply,
        };
        let uses = self.boundary_uses(policy, params);
        let page: Vec<&BoundaryUse> = uses.iter().skip(start).take(max_items).collect();
        let list = |entity: Entity, name: &str| {
            let members: String = page
                .iter()
                .filter(|b| b.entity == entity)
                .map(|b| b.member_xml())
                .collect();
            if members.is_empty() {
                format!("<{name}/>")
            } else {
                element_raw(name, &members)
            }
        };
        let next = start + max_items;
        let truncated = next < uses.len();
        let marker = if truncated {
            element("Marker", &next.to_string())
        } else {
            String::new()
        };
        Reply::Ok(Some(format!(
            "<PolicyGroups/>{}{}<IsTruncated>{truncated}</IsTruncated>{marker}",
            list(Entity::User, "PolicyUsers"),
            list(Entity::Role, "PolicyRoles")
        )))
    }

    /// IAM refuses to delete a policy that is still a permissions boundary.
    fn delete_policy_conflict(&self, params: &[(String, String)]) -> Option<Reply> {
        let policy = param(params, "PolicyArn")?;
        lock(&self.store)
            .boundaries
            .iter()
            .any(|b| b.policy == policy)
            .then(|| {
                Reply::error(
                    "DeleteConflict",
                    "Cannot delete a policy attached to entities.",
                )
            })
    }

    /// moto's GetUser, with the user's boundary from the record.
    async fn get_user(&self, request: &Request, params: &[(String, String)]) -> (Vec<u8>, bool) {
        let (response, close) = self.forward(request).await;
        let Some(user) = param(params, "UserName") else {
            return (response, close);
        };
        let policy = lock(&self.store)
            .boundaries
            .iter()
            .find(|b| b.entity == Entity::User && b.name == user)
            .map(|b| b.policy.clone());
        match policy {
            Some(policy) if status_of(&response) == 200 => {
                let boundary = element_raw(
                    "PermissionsBoundary",
                    &(element("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
                        + &element("PermissionsBoundaryArn", &policy)),
                );
                (
                    with_body(&response, |xml| {
                        xml.replacen("</User>", &format!("{boundary}</User>"), 1)
                    }),
                    close,
                )
            }
            _ => (response, close),
        }
    }

    async fn create(&self, request: &Request, params: &[(String, String)]) -> Reply {
        let (user, service) = match (
            required(params, "UserName", "userName"),
            required(params, "ServiceName", "serviceName"),
        ) {
            (Ok(user), Ok(service)) => (user, service),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let Some(kind) = service_kind(service) else {
            return not_supported(service);
        };
        let age_days = match param(params, "CredentialAgeDays") {
            None => None,
            Some(days) => match days.parse::<u64>() {
                Ok(days) if (1..=36_600).contains(&days) => Some(days),
                _ => {
                    return Reply::error(
                        "ValidationError",
                        &format!(
                            "1 validation error detected: Value '{days}' at 'credentialAgeDays' failed to satisfy constraint: Member must have value between 1 and 36600"
                        ),
                    );
                }
            },
        };
        if age_days.is_some() && kind == Kind::Password {
            return Reply::error(
                "InvalidInput",
                &format!("CredentialAgeDays is not supported for service {service}."),
            );
        }
        let account = match self.user_account(request, user).await {
            Ok(account) => account,
            Err(reply) => return reply,
        };
        let mut store = lock(&self.store);
        if store
            .credentials
            .iter()
            .filter(|c| c.user == user && c.service == service)
            .count()
            >= PER_USER_PER_SERVICE
        {
            return Reply::error(
                "LimitExceeded",
                &format!(
                    "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {PER_USER_PER_SERVICE}"
                ),
            );
        }
        let created = now();
        let credential = Credential {
            id: store.new_id(),
            user: user.to_string(),
            service: service.to_string(),
            kind,
            name: store.new_name(user, service, &account),
            secret: store.new_secret(kind),
            status: "Active".to_string(),
            created,
            expires: age_days.map(|days| created + days * 86_400),
        };
        let xml = credential.full_xml();
        store.credentials.push(credential);
        Reply::Ok(Some(xml))
    }

    async fn list(&self, request: &Request, params: &[(String, String)]) -> Reply {
        let user = param(params, "UserName");
        let all_users = param(params, "AllUsers").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if all_users && user.is_some() {
            return Reply::error(
                "InvalidInput",
                "AllUsers cannot be specified together with UserName.",
            );
        }
        let service = param(params, "ServiceName");
        if let Some(service) = service
            && service_kind(service).is_none()
        {
            return not_supported(service);
        }
        let (start, max_items) = match page_bounds(params) {
            Ok(bounds) => bounds,
            Err(reply) => return reply,
        };
        if let Some(user) = user
            && let Err(reply) = self.user_account(request, user).await
        {
            return reply;
        }
        let store = lock(&self.store);
        let matching: Vec<&Credential> = store
            .credentials
            .iter()
            .filter(|c| {
                if all_users {
                    true
                } else {
                    user.is_some_and(|u| c.user == u)
                }
            })
            .filter(|c| service.is_none_or(|s| c.service == s))
            .collect();
        let page: String = matching
            .iter()
            .skip(start)
            .take(max_items)
            .map(|c| c.member_xml())
            .collect();
        let next = start + max_items;
        let truncated = next < matching.len();
        let marker = if truncated {
            element("Marker", &next.to_string())
        } else {
            String::new()
        };
        let members = if page.is_empty() {
            "<ServiceSpecificCredentials/>".to_string()
        } else {
            element_raw("ServiceSpecificCredentials", &page)
        };
        Reply::Ok(Some(format!(
            "{members}<IsTruncated>{truncated}</IsTruncated>{marker}"
        )))
    }

    fn update(&self, params: &[(String, String)]) -> Reply {
        let id = match required(
            params,
            "ServiceSpecificCredentialId",
            "serviceSpecificCredentialId",
        ) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let status = match required(params, "Status", "status") {
            Ok(status) => status,
            Err(e) => return e,
        };
        if status != "Active" && status != "Inactive" {
            return Reply::error(
                "ValidationError",
                &format!(
                    "1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
                ),
            );
        }
        let mut store = lock(&self.store);
        match store.find(id, param(params, "UserName")) {
            Ok(index) => {
                store.credentials[index].status = status.to_string();
                Reply::Ok(None)
            }
            Err(reply) => reply,
        }
    }

    fn reset(&self, params: &[(String, String)]) -> Reply {
        let id = match required(
            params,
            "ServiceSpecificCredentialId",
            "serviceSpecificCredentialId",
        ) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let mut store = lock(&self.store);
        match store.find(id, param(params, "UserName")) {
            Ok(index) => {
                let kind = store.credentials[index].kind;
                let secret = store.new_secret(kind);
                store.credentials[index].secret = secret;
                Reply::Ok(Some(store.credentials[index].full_xml()))
            }
            Err(reply) => reply,
        }
    }

    fn delete(&self, params: &[(String, String)]) -> Reply {
        let id = match required(
            params,
            "ServiceSpecificCredentialId",
            "serviceSpecificCredentialId",
        ) {
            Ok(id) => id,
            Err(e) => return e,
        };
        let mut store = lock(&self.store);
        match store.find(id, param(params, "UserName")) {
            Ok(index) => {
                store.credentials.remove(index);
                Reply::Ok(None)
            }
            Err(reply) => reply,
        }
    }

    /// IAM refuses to delete a user who still has service-specific credentials.
    fn delete_user_conflict(&self, params: &[(String, String)]) -> Option<Reply> {
        let user = param(params, "UserName")?;
        lock(&self.store)
            .credentials
            .iter()
            .any(|c| c.user == user)
            .then(|| {
                Reply::error(
                    "DeleteConflict",
                    "Cannot delete entity, must remove service specific credentials first.",
                )
            })
    }
}

/// A page's first item (`Marker`, an index) and size (`MaxItems`, 1 to 1000, default 100),
/// or IAM's answer to a bad one.
fn page_bounds(params: &[(String, String)]) -> Result<(usize, usize), Reply> {
    let max_items = match param(params, "MaxItems").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return Err(Reply::error(
                "ValidationError",
                "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000",
            ));
        }
    };
    let start = match param(params, "Marker").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(Reply::error("InvalidInput", "Invalid Marker.")),
    };
    Ok((start, max_items))
}

fn not_supported(service: &str) -> Reply {
    Reply::error(
        "NotSupportedService",
        &format!("No such service {service} is supported for Service Specific Credentials"),
    )
}

fn required<'a>(
    params: &'a [(String, String)],
    name: &str,
    member: &str,
) -> Result<&'a str, Reply> {
    param(params, name).ok_or_else(|| {
        Reply::error(
            "ValidationError",
            &format!("1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"),
        )
    })
}

/// The status code of an HTTP response.
fn status_of(response: &[u8]) -> u16 {
    let line_end = find(response, b"\r\n").unwrap_or(response.len());
    String::from_utf8_lossy(&response[..line_end])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The text of the first `<name>` element.
fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

/// The response with its body rewritten by `change` and its Content-Length set to match
/// (moto frames its answers with Content-Length; a chunked one is left as it is).
fn with_body(response: &[u8], change: impl FnOnce(&str) -> String) -> Vec<u8> {
    let Some(head_end) = find(response, b"\r\n\r\n") else {
        return response.to_vec();
    };
    let head = String::from_utf8_lossy(&response[..head_end]).to_string();
    if headers(&head).any(|(name, value)| {
        name == "transfer-encoding" && value.to_ascii_lowercase().contains("chunked")
    }) {
        return response.to_vec();
    }
    let body = change(&String::from_utf8_lossy(&response[head_end + 4..]));
    let mut lines: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:"))
        .map(str::to_string)
        .collect();
    lines.push(format!("Content-Length: {}", body.len()));
    format!("{}\r\n\r\n{body}", lines.join("\r\n")).into_bytes()
}

/// A ListEntitiesForPolicy answer with `uses` added to its PolicyUsers and PolicyRoles,
/// each entity once.
fn merge_uses(xml: &str, uses: &[BoundaryUse]) -> String {
    let mut xml = xml.to_string();
    for (entity, list, name_tag) in [
        (Entity::User, "PolicyUsers", "UserName"),
        (Entity::Role, "PolicyRoles", "RoleName"),
    ] {
        let (open, close, empty) = (
            format!("<{list}>"),
            format!("</{list}>"),
            format!("<{list}/>"),
        );
        let listed = match (xml.find(&open), xml.find(&close)) {
            (Some(start), Some(end)) if start < end => xml[start..end].to_string(),
            _ => String::new(),
        };
        let members: String = uses
            .iter()
            .filter(|b| b.entity == entity && !listed.contains(&element(name_tag, &b.name)))
            .map(BoundaryUse::member_xml)
            .collect();
        if members.is_empty() {
            continue;
        }
        xml = if !listed.is_empty() {
            xml.replacen(&close, &format!("{members}{close}"), 1)
        } else if xml.contains(&empty) {
            xml.replacen(&empty, &element_raw(list, &members), 1)
        } else {
            xml.replacen(
                "<IsTruncated>",
                &format!("{}<IsTruncated>", element_raw(list, &members)),
                1,
            )
        };
    }
    xml
}

/// One request to moto on a connection of its own; moto's whole response.
async fn exchange(moto: &str, request: &[u8]) -> Result<Vec<u8>, String> {
    let mut stream = timeout(MOTO_CONNECT, TcpStream::connect(moto))
        .await
        .map_err(|_| format!("no connection in {MOTO_CONNECT:?}"))?
        .map_err(|e| format!("connecting: {e}"))?;
    timeout(MOTO_ANSWER, async {
        stream
            .write_all(request)
            .await
            .map_err(|e| format!("writing the request: {e}"))?;
        read_response(&mut stream).await
    })
    .await
    .map_err(|_| format!("no answer in {MOTO_ANSWER:?}"))?
}

/// Reads one HTTP response (after any interim 1xx ones), framed by Content-Length, chunked
/// encoding or the end of the connection.
async fn read_response(stream: &mut TcpStream) -> Result<Vec<u8>, String> {
    let mut buffer = Vec::new();
    let mut eof = false;
    loop {
        if let Some(head_end) = find(&buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
            let status: u16 = head
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if (100..200).contains(&status) {
                buffer.drain(..head_end + 4);
                continue;
            }
            let body_start = head_end + 4;
            let mut length = None;
            let mut chunked = false;
            for (name, value) in headers(&head) {
                if name == "content-length" {
                    length = value.parse::<usize>().ok();
                } else if name == "transfer-encoding"
                    && value.to_ascii_lowercase().contains("chunked")
                {
                    chunked = true;
                }
            }
            let bodiless = status == 204 || status == 304;
            let end = if bodiless {
                Some(body_start)
            } else if chunked {
                chunked_end(&buffer[body_start..]).map(|n| body_start + n)
            } else if let Some(length) = length {
                (buffer.len() >= body_start + length).then_some(body_start + length)
            } else if eof {
                Some(buffer.len())
            } else {
                None
            };
            if let Some(end) = end {
                buffer.truncate(end);
                return Ok(buffer);
            }
        }
        if eof {
            return Err(format!(
                "the connection closed after {} bytes of an incomplete response",
                buffer.len()
            ));
        }
        let mut chunk = [0u8; 16 * 1024];
        match stream.read(&mut chunk).await {
            Ok(0) => eof = true,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the response: {e}")),
        }
    }
}

/// Where a chunked body ends (after its last chunk and trailers), once it is all there.
fn chunked_end(body: &[u8]) -> Option<usize> {
    let mut at = 0;
    loop {
        let line_end = at + find(&body[at..], b"\r\n")?;
        let size_text = String::from_utf8_lossy(&body[at..line_end]).to_string();
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
                .ok()?;
        at = line_end + 2;
        if size == 0 {
            // Trailers, then an empty line.
            loop {
                let end = at + find(&body[at..], b"\r\n")?;
                if end == at {
                    return Some(at + 2);
                }
                at = end + 2;
            }
        }
        if body.len() < at + size + 2 {
            return None;
        }
        at += size + 2;
    }
}

/// The decoded parameters of a form-encoded body.
fn form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.iter().position(|&b| b == b'=') {
            Some(eq) => (percent_decode(&part[..eq]), percent_decode(&part[eq + 1..])),
            None => (percent_decode(part), String::new()),
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn percent_decode(text: &[u8]) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < text.len() => match (hex(text[i + 1]), hex(text[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn element(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

fn element_raw(name: &str, xml: &str) -> String {
    format!("<{name}>{xml}</{name}>")
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}
