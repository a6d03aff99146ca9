//! Real delivery for the tests: a small SMTP server (mailin-embedded) and an HTTP endpoint that
//! plays the SMS provider, both on local ports, recording what arrives.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use base64::Engine as _;
use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server};

use server::dispatch::{http_client, smtp_transport, EmailTransport, SmsTransport, Transports};

#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message as sent over SMTP.
    pub raw: String,
}

impl ReceivedMail {
    /// The message's parts, decoded (quoted-printable or base64), one after the other.
    pub fn text(&self) -> String {
        decode_parts(&self.raw)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.raw
            .split("\r\n\r\n")
            .next()?
            .split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_string())
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_parts(raw: &str) -> String {
    let mut out = String::new();
    let marker = "Content-Transfer-Encoding:";
    let mut rest = raw;
    while let Some(at) = rest.find(marker) {
        let after = &rest[at + marker.len()..];
        let encoding = after
            .split("\r\n")
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        let Some(body_start) = after.find("\r\n\r\n") else {
            break;
        };
        let body = &after[body_start + 4..];
        let end = body.find("\r\n--").unwrap_or(body.len());
        let part = &body[..end];
        match encoding.as_str() {
            "quoted-printable" => out.push_str(&decode_quoted_printable(part)),
            "base64" => {
                let compact: String = part.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .unwrap_or_default();
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
            _ => out.push_str(part),
        }
        out.push('\n');
        rest = &body[end..];
    }
    out
}

#[derive(Clone)]
struct Recorder {
    current: Option<ReceivedMail>,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    /// 0: accept; otherwise the SMTP code answered to each recipient.
    fail_with: Arc<AtomicU16>,
    /// Milliseconds between receiving a message and answering « 250 OK » (0: at once).
    answer_after_ms: Arc<AtomicU64>,
}

impl Handler for Recorder {
    /// Failures are answered to RCPT TO, like a greylisting (451) or unknown-mailbox (550)
    /// server. (mailin-embedded keeps reading data after a refusal at the end of DATA, so a
    /// refusal there would leave the client waiting.)
    fn rcpt(&mut self, _to: &str) -> Response {
        match self.fail_with.load(Ordering::SeqCst) {
            0 => response::OK,
            code => Response::custom(code, "Service temporairement indisponible".into()),
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(ReceivedMail {
            from: from.to_string(),
            to: to.to_vec(),
            raw: String::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.raw.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.received.lock().unwrap().push(m);
        }
        // The message is ours; a sender killed before it reads the answer cannot know.
        let wait = self.answer_after_ms.load(Ordering::SeqCst);
        if wait > 0 {
            std::thread::sleep(std::time::Duration::from_millis(wait));
        }
        response::OK
    }
}

/// An SMTP server on a free local port, running until the test process ends.
pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    fail_with: Arc<AtomicU16>,
    answer_after_ms: Arc<AtomicU64>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let fail_with = Arc::new(AtomicU16::new(0));
        let answer_after_ms = Arc::new(AtomicU64::new(0));
        let recorder = Recorder {
            current: None,
            received: received.clone(),
            fail_with: fail_with.clone(),
            answer_after_ms: answer_after_ms.clone(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(recorder);
            server
                .with_name("smtp.test")
                .with_num_threads(2)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        SmtpServer {
            addr,
            received,
            fail_with,
            answer_after_ms,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.received.lock().unwrap().clone()
    }

    /// A slow server: each message is answered `ms` after it was received.
    pub fn answer_after(&self, ms: u64) {
        self.answer_after_ms.store(ms, Ordering::SeqCst);
    }

    /// From now on, every message is refused with `code` (0: accepted again).
    pub fn fail_with(&self, code: u16) {
        self.fail_with.store(code, Ordering::SeqCst);
    }
}

#[derive(Clone, Debug)]
pub struct ReceivedSms {
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub to: String,
    pub text: String,
}

/// The SMS provider: `POST /sms` with JSON, on a free local port.
pub struct SmsEndpoint {
    pub url: url::Url,
    received: Arc<Mutex<Vec<ReceivedSms>>>,
    status: Arc<AtomicU16>,
}

impl SmsEndpoint {
    pub async fn start() -> SmsEndpoint {
        let received: Arc<Mutex<Vec<ReceivedSms>>> = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let (r, st) = (received.clone(), status.clone());
        let router = axum::Router::new().route(
            "/sms",
            axum::routing::post(
                move |headers: HeaderMap, body: axum::Json<serde_json::Value>| {
                    let (r, st) = (r.clone(), st.clone());
                    async move {
                        let code = st.load(Ordering::SeqCst);
                        if code == 200 {
                            let h = |n: &str| {
                                headers
                                    .get(n)
                                    .and_then(|v| v.to_str().ok())
                                    .map(str::to_string)
                            };
                            r.lock().unwrap().push(ReceivedSms {
                                authorization: h("authorization"),
                                idempotency_key: h("idempotency-key"),
                                to: body["to"].as_str().unwrap_or("").to_string(),
                                text: body["text"].as_str().unwrap_or("").to_string(),
                            });
                        }
                        axum::http::StatusCode::from_u16(code).unwrap()
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        SmsEndpoint {
            url: format!("http://{addr}/sms").parse().unwrap(),
            received,
            status,
        }
    }

    pub fn messages(&self) -> Vec<ReceivedSms> {
        self.received.lock().unwrap().clone()
    }

    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

pub const SMS_TOKEN: &str = "jeton-sms-de-test";

/// Transports to the local servers (the development mailbox for what is `None`).
pub fn transports(smtp: Option<&SmtpServer>, sms: Option<&SmsEndpoint>) -> Transports {
    Transports {
        email: match smtp {
            Some(s) => EmailTransport::Smtp {
                transport: Box::new(smtp_transport(&s.url()).unwrap()),
                from: "Permis de conduire <ne-pas-repondre@permis.localhost>"
                    .parse()
                    .unwrap(),
            },
            None => EmailTransport::Mailbox,
        },
        sms: match sms {
            Some(s) => SmsTransport::Http {
                client: http_client().unwrap(),
                url: s.url.clone(),
                token: SMS_TOKEN.into(),
            },
            None => SmsTransport::Mailbox,
        },
        message_id_domain: "permis.localhost".into(),
    }
}
