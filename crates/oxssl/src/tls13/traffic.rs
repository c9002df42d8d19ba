//! After the handshake: KeyUpdate in both directions, NewSessionTicket (a client turns each
//! into a resumable session), and rejection of everything else.

use super::key_schedule::next_traffic_secret;
use super::post_handshake_auth::PostHandshakeAuth;
use super::{ApplicationSecrets, Context};
use crate::config::Config;
use crate::crypto::hash::{Output, Secret};
use crate::error::TlsError;
use crate::handshake::Transcript;
use crate::msgs::enums::ContentType;
use crate::msgs::handshake::HandshakeMessage;
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::record::writer::RecordWriter;
use crate::record::MAX_PLAINTEXT;

/// Most KeyUpdates accepted in a row without application data between them; more is a
/// peer making us spin (OpenSSL has no such bound; this caps the work per byte).
pub const MAX_KEY_UPDATES_IN_A_ROW: u32 = 32;
/// Most NewSessionTickets accepted in a row without application data between them.
pub const MAX_TICKETS_IN_A_ROW: u32 = 32;
/// Most post-handshake CertificateRequests a client answers in a row without application
/// data between them (each costs a signature).
pub const MAX_CERT_REQUESTS_IN_A_ROW: u32 = 8;

/// The post-handshake state.
pub struct Traffic {
    secrets: ApplicationSecrets,
    is_client: bool,
    /// The peer asked for a KeyUpdate; answer before our next application data.
    pub update_requested: bool,
    key_updates_in_row: u32,
    tickets_in_row: u32,
    /// Client: resumption_master_secret, which turns each ticket into a session.
    res_master: Option<Secret>,
    /// Post-handshake authentication, when the client offered it.
    pha: Option<Box<PostHandshakeAuth>>,
    cert_requests_in_row: u32,
}

impl Traffic {
    /// The traffic state once both Finished messages are done.
    pub fn new(secrets: ApplicationSecrets, is_client: bool) -> Self {
        Traffic {
            secrets,
            is_client,
            update_requested: false,
            key_updates_in_row: 0,
            tickets_in_row: 0,
            res_master: None,
            pha: None,
            cert_requests_in_row: 0,
        }
    }

    /// The client offered post-handshake authentication: keeps the handshake transcript
    /// (through the client's Finished) that each request is authenticated over.
    pub fn enable_post_handshake_auth(&mut self, transcript: Transcript) {
        self.pha = Some(Box::new(PostHandshakeAuth::new(transcript)));
    }

    /// Server: asks for the client's certificate (`SSL_verify_client_post_handshake`).
    pub fn request_client_certificate(
        &mut self,
        out: &mut RecordWriter,
        config: &Config,
    ) -> Result<(), TlsError> {
        match self.pha.as_mut() {
            Some(pha) if !self.is_client => pha.request(out, config),
            _ => Err(TlsError::local(
                Reason::EXTENSION_NOT_RECEIVED,
                "the client did not offer post-handshake authentication",
            )),
        }
    }

    /// Client: keeps what turns the server's tickets into sessions.
    pub fn set_resumption_master(&mut self, res_master: Output) {
        self.res_master = Some(res_master.into());
    }

    fn read_secret(&mut self) -> &mut Output {
        if self.is_client {
            &mut self.secrets.server
        } else {
            &mut self.secrets.client
        }
    }

    fn write_secret(&mut self) -> &mut Output {
        if self.is_client {
            &mut self.secrets.client
        } else {
            &mut self.secrets.server
        }
    }

    /// An application data record arrived. Server: refused between the client's
    /// Certificate and its Finished, which RFC 8446 4.6.2 sends in a row (data the client
    /// sent before it saw our request comes before its Certificate, and is fine).
    /// Otherwise, unless `empty`, the peer is making progress: the flood counters reset.
    pub fn application_data(&mut self, empty: bool) -> Result<(), TlsError> {
        if self.pha.as_ref().is_some_and(|p| p.answer_started()) {
            return Err(TlsError::unexpected(
                "application data inside the client's post-handshake authentication",
            )
            .with_reason(Reason::UNEXPECTED_RECORD));
        }
        if !empty {
            self.key_updates_in_row = 0;
            self.tickets_in_row = 0;
            self.cert_requests_in_row = 0;
        }
        Ok(())
    }

    /// The exporter master secret (`SSL_export_keying_material`).
    pub fn exporter_secret(&self) -> &Output {
        &self.secrets.exporter
    }

    /// RFC 8446 7.5: HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
    /// "exporter", Hash(context), out.len()); no context hashes as an empty one.
    pub fn export(&self, label: &[u8], context: &[u8], out: &mut [u8]) -> Result<(), TlsError> {
        use crate::crypto::hash;
        use crate::tls13::key_schedule::{derive_secret, expand_label};
        let alg = self.secrets.suite.hash();
        let empty = hash::digest(alg, b"");
        let secret = derive_secret(
            alg,
            self.secrets.exporter.as_bytes(),
            label,
            empty.as_bytes(),
        )?;
        let context_hash = hash::digest(alg, context);
        expand_label(
            alg,
            secret.as_bytes(),
            b"exporter",
            context_hash.as_bytes(),
            out,
        )
    }

    /// Handles a post-handshake message. A KeyUpdate leaves its new read key in
    /// `cx.new_read`, which the connection installs on the record boundary.
    pub fn handle(
        &mut self,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<(), TlsError> {
        let suite = self.secrets.suite;
        match msg {
            HandshakeMessage::CertificateRequest(cr) if self.is_client => {
                let Some(pha) = &self.pha else {
                    return Err(crate::handshake::unexpected(
                        "post-handshake (no post_handshake_auth offered)",
                        &HandshakeMessage::CertificateRequest(cr),
                    ));
                };
                self.cert_requests_in_row += 1;
                if self.cert_requests_in_row > MAX_CERT_REQUESTS_IN_A_ROW {
                    return Err(TlsError::unexpected(
                        "too many CertificateRequests without data",
                    ));
                }
                pha.answer(cx, suite, &self.secrets.client, cr, raw)
            }
            msg if !self.is_client && self.pha.as_ref().is_some_and(|p| p.takes(&msg)) => {
                let secret = self.secrets.client.clone();
                match self.pha.as_mut() {
                    Some(pha) => pha.receive(cx, suite, &secret, msg, raw),
                    None => Err(crate::handshake::unexpected("post-handshake", &msg)),
                }
            }
            HandshakeMessage::KeyUpdate(req) => {
                if req > 1 {
                    return Err(TlsError::illegal(
                        Reason::BAD_KEY_UPDATE,
                        "KeyUpdate request value not 0 or 1",
                    ));
                }
                self.key_updates_in_row += 1;
                if self.key_updates_in_row > MAX_KEY_UPDATES_IN_A_ROW {
                    return Err(TlsError::unexpected("too many KeyUpdates without data")
                        .with_reason(Reason::TOO_MANY_KEY_UPDATES));
                }
                let alg = self.secrets.suite.hash();
                let next = next_traffic_secret(alg, self.read_secret().as_bytes())?;
                *cx.new_read = Some(self.secrets.cipher(&next)?);
                *self.read_secret() = next;
                if req == 1 {
                    self.update_requested = true;
                }
                Ok(())
            }
            HandshakeMessage::NewSessionTicket(t) if self.is_client => {
                self.tickets_in_row += 1;
                if self.tickets_in_row > MAX_TICKETS_IN_A_ROW {
                    return Err(TlsError::unexpected(
                        "too many NewSessionTickets without data",
                    ));
                }
                if let Some(res_master) = &self.res_master {
                    // A session exists once the first ticket makes one: an idle connection
                    // that got none holds nothing but this secret.
                    let template = super::resumption::template(cx, self.secrets.suite);
                    let made =
                        super::resumption::session_from_ticket(cx, &template, res_master, &t)?;
                    if let Some(session) = made {
                        cx.new_session(session);
                    }
                }
                Ok(())
            }
            other => Err(crate::handshake::unexpected("post-handshake", &other)),
        }
    }

    /// Sends a KeyUpdate (`request` asks the peer to update too) and switches our write key.
    pub fn send_key_update(
        &mut self,
        out: &mut RecordWriter,
        request: bool,
    ) -> Result<(), TlsError> {
        let raw = HandshakeMessage::KeyUpdate(request as u8).encode()?;
        out.send(ContentType::HANDSHAKE, &raw, MAX_PLAINTEXT)?;
        let alg = self.secrets.suite.hash();
        let next = next_traffic_secret(alg, self.write_secret().as_bytes())?;
        out.prot = self.secrets.cipher(&next)?;
        *self.write_secret() = next;
        // Any KeyUpdate we send answers a pending request from the peer.
        self.update_requested = false;
        Ok(())
    }

    /// True when the write key has protected so many records that it must be updated.
    pub fn write_key_exhausted(out: &RecordWriter) -> bool {
        matches!(&out.prot, Protection::Tls13(c) if c.wants_update())
    }
}
