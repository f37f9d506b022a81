//! MCP over stdio, one JSON-RPC message per line, answering what rmcp's own stdio
//! transport drops: a line that is not JSON (garbage, invalid UTF-8, a lone surrogate,
//! nesting past the parser's depth limit) gets a JSON-RPC parse error (-32700, id null)
//! and a line that is JSON but not a message gets an invalid-request error (-32600, with
//! its id when it has one), each with a warning on stderr; then the next line is read. A
//! raw client waiting on a request it got wrong is told so instead of waiting forever.

use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

/// The longest line read as a message (rmcp's own bound); a longer one is answered with
/// -32600 and skipped without being kept in memory.
const MAX_LINE: usize = 16 * 1024 * 1024;

pub struct LineTransport<R, W> {
    read: BufReader<R>,
    /// The line being read; kept across cancelled `receive` calls (rmcp polls it in a
    /// `select!`), cleared once a whole line is handled.
    line: Vec<u8>,
    /// Dropping the rest of an over-long line.
    discarding: bool,
    write: Arc<Mutex<Option<W>>>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    pub fn new(read: R, write: W) -> Self {
        LineTransport {
            read: BufReader::new(read),
            line: Vec::new(),
            discarding: false,
            write: Arc::new(Mutex::new(Some(write))),
        }
    }
}

/// What one read produced.
enum Read {
    Line,
    TooLong,
    Closed,
}

impl<R: AsyncRead + Unpin, W> LineTransport<R, W> {
    async fn read_line(&mut self) -> std::io::Result<Read> {
        loop {
            let available = self.read.fill_buf().await?;
            if available.is_empty() {
                return Ok(Read::Closed);
            }
            let newline = available.iter().position(|b| *b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            if self.discarding {
                self.read.consume(take);
                if newline.is_some() {
                    self.discarding = false;
                }
                continue;
            }
            if self.line.len() + take > MAX_LINE {
                self.line.clear();
                self.read.consume(take);
                self.discarding = newline.is_none();
                return Ok(Read::TooLong);
            }
            self.line.extend_from_slice(&available[..take]);
            self.read.consume(take);
            if newline.is_some() {
                return Ok(Read::Line);
            }
        }
    }
}

/// One line's meaning.
enum Parsed {
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    /// Blank, or a notification that is not one of MCP's: nothing to answer.
    Nothing,
    /// An error response to send, and what to log.
    Answer(Value, String),
}

fn error_response(id: Value, code: i64, message: String) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn parse(line: &[u8]) -> Parsed {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Nothing;
    }
    let value: Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(e) => {
            let why = format!(
                "Parse error: the message is not JSON ({e}); send one JSON-RPC 2.0 object per line, UTF-8 encoded"
            );
            return Parsed::Answer(error_response(Value::Null, -32700, why.clone()), why);
        }
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned();
    // A notification (a method, no id member) is never answered, even when it is wrong.
    let notification = value
        .as_object()
        .is_some_and(|m| m.contains_key("method") && !m.contains_key("id"));
    match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value) {
        Ok(message) => Parsed::Message(Box::new(message)),
        Err(_) if notification => Parsed::Nothing,
        Err(e) => {
            let why = format!(
                "Invalid Request: the JSON is not a JSON-RPC 2.0 message this server takes ({e})"
            );
            Parsed::Answer(
                error_response(id.unwrap_or(Value::Null), -32600, why.clone()),
                why,
            )
        }
    }
}

async fn write_line<W: AsyncWrite + Unpin>(
    write: &Mutex<Option<W>>,
    bytes: Vec<u8>,
) -> std::io::Result<()> {
    let mut guard = write.lock().await;
    let Some(out) = guard.as_mut() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            "the transport is closed",
        ));
    };
    out.write_all(&bytes).await?;
    out.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = self.write.clone();
        async move {
            let mut bytes = serde_json::to_vec(&item)?;
            bytes.push(b'\n');
            write_line(&write, bytes).await
        }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let answer = match self.read_line().await {
                Ok(Read::Line) => {
                    let parsed = parse(&self.line);
                    self.line.clear();
                    match parsed {
                        Parsed::Message(message) => return Some(*message),
                        Parsed::Nothing => continue,
                        Parsed::Answer(answer, why) => {
                            tracing::warn!("{why}");
                            answer
                        }
                    }
                }
                Ok(Read::TooLong) => {
                    let why = format!(
                        "Invalid Request: a message longer than {MAX_LINE} bytes was dropped"
                    );
                    tracing::warn!("{why}");
                    error_response(Value::Null, -32600, why)
                }
                Ok(Read::Closed) => return None,
                Err(e) => {
                    tracing::error!("reading stdin failed: {e}");
                    return None;
                }
            };
            let mut bytes = answer.to_string().into_bytes();
            bytes.push(b'\n');
            if write_line(&self.write, bytes).await.is_err() {
                return None;
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        if let Some(mut out) = self.write.lock().await.take() {
            out.shutdown().await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(parsed: Parsed) -> Option<(i64, Value)> {
        match parsed {
            Parsed::Answer(v, _) => Some((v["error"]["code"].as_i64().unwrap(), v["id"].clone())),
            _ => None,
        }
    }

    #[test]
    fn lines_are_messages_errors_or_nothing() {
        assert!(matches!(
            parse(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"),
            Parsed::Message(_)
        ));
        assert!(matches!(parse(b"  \r\n"), Parsed::Nothing));
        assert_eq!(code(parse(b"hello\n")), Some((-32700, Value::Null)));
        assert_eq!(
            code(parse(b"{\"a\": \"\xff\"}\n")),
            Some((-32700, Value::Null))
        );
        assert_eq!(
            code(parse(b"{\"a\": \"\\ud800\"}\n")),
            Some((-32700, Value::Null))
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(code(parse(deep.as_bytes())), Some((-32700, Value::Null)));
        assert_eq!(
            code(parse(b"{\"jsonrpc\":\"2.0\",\"id\":7,\"nomethod\":1}")),
            Some((-32600, json!(7)))
        );
        assert!(matches!(
            parse(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\",\"params\":5}"),
            Parsed::Nothing | Parsed::Message(_)
        ));
        assert_eq!(
            code(parse(
                b"{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}"
            )),
            Some((-32600, Value::Null))
        );
    }
}
