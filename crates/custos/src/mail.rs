//! E-mail to staff of work waiting for them, through the scheme's SMTP relay (`[mail]`):
//! a download waiting for authorisation is sent to each person who could give it and has an
//! e-mail address on their account (ALT-8: the authoriser sees it on their Start page and,
//! where configured, by e-mail).
//!
//! Invariants: a message goes only to someone the store finds could authorise the download
//! now; each one sent is ledgered (`download-authoriser-told`, with the user name, never the
//! address); a failure to send is logged and never fails the request that caused it; the
//! relay's password is held in a [`SecretUrl`] and never printed.

use std::sync::Arc;

use anyhow::Context as _;
use custos_base::UnixMs;
use custos_store::Store;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

/// Sends the scheme's e-mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    relay: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer({})", self.relay)
    }
}

impl Mailer {
    /// The mailer `[mail]` describes, or `None` when no relay is set.
    pub fn from_config(c: &MailConfig) -> anyhow::Result<Option<Self>> {
        let Some(url) = &c.smtp else {
            return Ok(None);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|e| {
                anyhow::anyhow!(
                    "[mail] smtp = {url}: {e}; give smtps://HOST:PORT, smtp://HOST:PORT?tls=required or smtp://HOST:PORT (see docs/ref/config.md)"
                )
            })?
            .build();
        let from: Mailbox = c.from.trim().parse().map_err(|e| {
            anyhow::anyhow!(
                "[mail] from = {:?}: {e}; give the sender, e.g. \"CCTV <cctv@school.example>\"",
                c.from
            )
        })?;
        Ok(Some(Self {
            transport,
            from,
            relay: url.to_string(),
        }))
    }

    /// Tells each person who could authorise download `id` (and has an e-mail address)
    /// that it waits for them; ledgers each message sent.
    async fn tell_authorisers(&self, store: &Store, id: &str) -> anyhow::Result<()> {
        let d = store.require_download(id).await?;
        let cameras = d
            .request
            .cameras
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        for (user, address) in store.authorisers_to_tell(id).await? {
            let to: Mailbox = match address.parse() {
                Ok(m) => m,
                Err(e) => {
                    tracing::error!(user = %user, error = %e, "an account's e-mail address cannot be used");
                    continue;
                }
            };
            let body = format!(
                "A download waits for your authorisation.\n\n\
                 Exhibit: {}\nCameras: {cameras}\nFootage: {} to {}\nAsked for by: {}\nFor: {}\nRecipient: {}\n\n\
                 Sign in to Custos: it is on your Start page, where you can read the request and authorise it in your own name.\n",
                d.request.exhibit,
                UnixMs(d.request.from_unix_ms).to_london_display(),
                UnixMs(d.request.to_unix_ms).to_london_display(),
                d.request.requester,
                d.request.purpose,
                d.request.recipient,
            );
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(format!(
                    "CCTV: exhibit {} waits for your authorisation",
                    d.request.exhibit
                ))
                .header(ContentType::TEXT_PLAIN)
                .body(body)
                .context("cannot build the message")?;
            match self.transport.send(message).await {
                Ok(_) => store.record_authoriser_told(id, &user).await?,
                Err(e) => {
                    tracing::error!(user = %user, relay = %self.relay, error = %e, "could not e-mail an authoriser; the download still waits on their Start page");
                }
            }
        }
        Ok(())
    }
}

impl custos_web::Notifier for Mailer {
    fn download_waiting(&self, store: Store, id: String) {
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.tell_authorisers(&store, &id).await {
                tracing::error!(download = %id, error = %e, "could not tell the authorisers of a download");
            }
        });
    }
}

/// The notifier `[mail]` gives the web server, if any.
pub fn notifier(c: &MailConfig) -> anyhow::Result<Option<Arc<dyn custos_web::Notifier>>> {
    Ok(Mailer::from_config(c)?.map(|m| Arc::new(m) as Arc<dyn custos_web::Notifier>))
}
