//! The outbox dispatcher: claims due messages (with a lease, so several server instances never
//! hold the same message at once), sends emails over SMTP with lettre and SMS with an HTTP call
//! to the provider, and records each attempt. The development mailbox is a transport too: the
//! message is "delivered" by writing it where the mailbox page reads it.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use app::server::outbox::{self, AfterFailure, Claimed};
use app::server::AppContext;

use crate::config::Config;

/// `Auto-Submitted: auto-generated` (RFC 3834): the service's messages are sent by a machine,
/// so mail systems send no automatic answer (absence notices) back.
#[derive(Clone, Debug)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// How emails leave.
#[derive(Clone)]
pub enum EmailTransport {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    Mailbox,
}

/// How SMS leave.
#[derive(Clone)]
pub enum SmsTransport {
    Http {
        client: reqwest::Client,
        url: url::Url,
        token: String,
    },
    Mailbox,
}

#[derive(Clone)]
pub struct Transports {
    pub email: EmailTransport,
    pub sms: SmsTransport,
    /// Domain of Message-IDs (the public URL's host).
    pub message_id_domain: String,
}

/// Time allowed to one delivery: well under the lease (`outbox::LEASE_SECS`).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

impl Transports {
    pub fn from_config(config: &Config) -> Result<Transports, String> {
        let email = match &config.smtp_url {
            Some(url) => EmailTransport::Smtp {
                transport: Box::new(smtp_transport(url)?),
                from: config
                    .mail_from
                    .parse()
                    .map_err(|e| format!("PERMIS_MAIL_FROM invalide : {e}"))?,
            },
            None => EmailTransport::Mailbox,
        };
        let sms = match &config.sms_url {
            Some(url) => SmsTransport::Http {
                client: http_client()?,
                url: url.clone(),
                token: config.sms_token.clone(),
            },
            None => SmsTransport::Mailbox,
        };
        Ok(Transports {
            email,
            sms,
            message_id_domain: config
                .public_url
                .host_str()
                .unwrap_or("permis.localhost")
                .to_string(),
        })
    }
}

pub fn smtp_transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| format!("PERMIS_SMTP_URL invalide : {e}"))?
        .timeout(Some(SEND_TIMEOUT))
        .build())
}

pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .user_agent("permis/0.1")
        .build()
        .map_err(|e| format!("client HTTP : {e}"))
}

/// Why a delivery failed, and whether trying again may help.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    fn transient(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: false,
        }
    }

    fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
}

pub struct Dispatcher {
    pub ctx: AppContext,
    pub transports: Transports,
    /// Who holds the leases: unique per dispatcher (host, process, random).
    pub owner: String,
    /// How long it owns a message it claimed (see `outbox::claim`).
    pub lease_secs: i64,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Dispatcher {
    pub fn new(ctx: AppContext, transports: Transports) -> Dispatcher {
        let random: [u8; 6] = rand::random();
        let owner = format!("{}-{}", std::process::id(), hex::encode(random));
        Dispatcher {
            ctx,
            transports,
            owner,
            lease_secs: outbox::LEASE_SECS,
        }
    }

    pub fn with_lease(mut self, secs: i64) -> Dispatcher {
        self.lease_secs = secs;
        self
    }

    /// Sends everything due now, in batches, until nothing is due.
    pub async fn run_until_idle(&self) -> Result<PassReport, app::error::AppError> {
        let mut total = PassReport::default();
        loop {
            let report = self.pass(20).await?;
            total.sent += report.sent;
            total.retried += report.retried;
            total.failed += report.failed;
            if report == PassReport::default() {
                return Ok(total);
            }
        }
    }

    /// Claims up to `limit` due messages and tries each once.
    pub async fn pass(&self, limit: i64) -> Result<PassReport, app::error::AppError> {
        let now = self.ctx.now();
        let claimed = outbox::claim(&self.ctx.db, &self.owner, now, limit, self.lease_secs).await?;
        let mut report = PassReport::default();
        for c in claimed {
            let before = self.ctx.now();
            if !outbox::renew_lease(&self.ctx.db, c.id, &self.owner, before, self.lease_secs)
                .await?
            {
                tracing::warn!(
                    message = c.id,
                    "réservation perdue : message laissé à l'autre instance"
                );
                continue;
            }
            let result = self.deliver(&c).await;
            let now = self.ctx.now();
            match result {
                Ok(transport) => {
                    outbox::record_sent(&self.ctx.db, &c, &self.owner, transport, now).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    match outbox::record_failure(
                        &self.ctx.db,
                        &c,
                        &self.owner,
                        &e.message,
                        e.permanent,
                        now,
                    )
                    .await?
                    {
                        AfterFailure::RetryAt(_) => {
                            tracing::warn!(
                                message = c.id,
                                attempt = c.attempts,
                                "envoi échoué, nouvel essai prévu : {}",
                                e.message
                            );
                            report.retried += 1;
                        }
                        AfterFailure::Failed => {
                            tracing::error!(
                                message = c.id,
                                attempt = c.attempts,
                                "envoi abandonné : {}",
                                e.message
                            );
                            report.failed += 1;
                        }
                    }
                }
            }
        }
        Ok(report)
    }

    async fn deliver(&self, c: &Claimed) -> Result<&'static str, SendError> {
        match c.channel.as_str() {
            "email" => match &self.transports.email {
                EmailTransport::Smtp { transport, from } => {
                    let message = self.email_message(c, from)?;
                    transport.send(message).await.map_err(|e| SendError {
                        permanent: e.is_permanent(),
                        message: format!("SMTP : {e}"),
                    })?;
                    Ok("smtp")
                }
                EmailTransport::Mailbox => Ok("mailbox"),
            },
            "sms" => match &self.transports.sms {
                SmsTransport::Http { client, url, token } => {
                    send_sms(client, url, token, c).await?;
                    Ok("http")
                }
                SmsTransport::Mailbox => Ok("mailbox"),
            },
            other => Err(SendError::permanent(format!("canal inconnu : {other}"))),
        }
    }

    fn email_message(&self, c: &Claimed, from: &Mailbox) -> Result<Message, SendError> {
        let to: Mailbox = c.recipient.parse().map_err(|e| {
            SendError::permanent(format!("adresse invalide « {} » : {e}", c.recipient))
        })?;
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(c.subject.clone())
            // RFC 3834: no vacation or out-of-office replies to these messages.
            .header(AutoSubmitted)
            .message_id(Some(format!(
                "<{}@{}>",
                c.idempotency_key.replace(':', "."),
                self.transports.message_id_domain
            )));
        let result = match c.html() {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(c.text(), html)),
            None => builder.singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(c.text()),
            ),
        };
        result.map_err(|e| SendError::permanent(format!("message invalide : {e}")))
    }

    /// Runs forever: a pass whenever a transaction queued messages (wake-up) and every few
    /// seconds (retries, other instances' messages, interrupted attempts).
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        let dispatcher = Arc::new(self);
        tokio::spawn(async move {
            loop {
                if let Err(e) = dispatcher.run_until_idle().await {
                    tracing::error!("envoi des messages : {e:?}");
                }
                tokio::select! {
                    _ = dispatcher.ctx.outbox_wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
        })
    }
}

async fn send_sms(
    client: &reqwest::Client,
    url: &url::Url,
    token: &str,
    c: &Claimed,
) -> Result<(), SendError> {
    let response = client
        .post(url.clone())
        .bearer_auth(token)
        .header("Idempotency-Key", &c.idempotency_key)
        .json(&serde_json::json!({
            "to": c.recipient,
            "text": c.text(),
            "reference": c.idempotency_key,
        }))
        .send()
        .await
        .map_err(|e| SendError::transient(format!("SMS : {e}")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let message = format!("SMS : le prestataire a répondu {status} {body}");
    // A refusal of the request itself will not change by trying again; overload, timeouts and
    // server errors may.
    if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
        Err(SendError::permanent(message))
    } else {
        Err(SendError::transient(message))
    }
}
