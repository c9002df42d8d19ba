//! After a TLS 1.2 handshake: what renegotiation needs (both Finished verify_data values,
//! whether the peer supports RFC 5746), the renegotiation policy and its flood limits.

use super::MasterSecret;
use crate::error::TlsError;
use crate::handshake::client::{ClientOptions, Renegotiating};
use crate::handshake::{Context, Next, State};
use crate::msgs::enums::{AlertDescription, ContentType};
use crate::msgs::handshake::HandshakeMessage;
use crate::reason::Reason;
use crate::record::MAX_PLAINTEXT;

/// The post-handshake state of a TLS 1.2 connection.
pub struct Traffic {
    is_client: bool,
    master: MasterSecret,
    client_verify_data: Vec<u8>,
    server_verify_data: Vec<u8>,
    /// The peer supports secure renegotiation (RFC 5746); without it oxssl never
    /// renegotiates.
    pub secure_renegotiation: bool,
    /// Server: a HelloRequest went out and the client's ClientHello is awaited
    /// (`SSL_renegotiate_pending`).
    pub hello_request_sent: bool,
    renegotiations_in_row: u32,
    renegotiations_total: u32,
    /// True if this handshake was itself a renegotiation.
    pub was_renegotiation: bool,
    /// Client: a HelloRequest was accepted and the renegotiation waits for its driver to
    /// start it (the `ssl` layer starts it only when no write is pending, as OpenSSL).
    pub owed: bool,
    /// Server: the renegotiation it asked for may resume the session (it was asked for
    /// with `renegotiate_abbreviated`).
    abbreviated: bool,
}

/// What a post-handshake message led to.
pub enum PostHandshake {
    /// Nothing more to do (a refusal was sent if needed).
    Done,
    /// A renegotiation started in this state.
    Renegotiate(Box<dyn State>),
}

impl Traffic {
    /// The state after a completed handshake.
    pub fn new(
        is_client: bool,
        master: MasterSecret,
        client_verify_data: Vec<u8>,
        server_verify_data: Vec<u8>,
        was_renegotiation: bool,
    ) -> Self {
        Traffic {
            is_client,
            master,
            client_verify_data,
            server_verify_data,
            // A client only completes a handshake with an RFC 5746 server (or with
            // LEGACY_SERVER_CONNECT, when it then never renegotiates).
            secure_renegotiation: true,
            hello_request_sent: false,
            renegotiations_in_row: 0,
            renegotiations_total: 0,
            was_renegotiation,
            owed: false,
            abbreviated: false,
        }
    }

    /// Carries the flood counters over from the handshake this one renegotiated.
    pub fn inherit_counters(&mut self, previous: &Traffic) {
        self.renegotiations_in_row = previous.renegotiations_in_row;
        self.renegotiations_total = previous.renegotiations_total;
        if !previous.secure_renegotiation {
            self.secure_renegotiation = false;
        }
    }

    /// Application data arrived: the peer is making progress.
    pub fn saw_application_data(&mut self) {
        self.renegotiations_in_row = 0;
    }

    /// The master secret of the current session.
    pub fn master(&self) -> &MasterSecret {
        &self.master
    }

    /// What a renegotiating hello must prove; `resume` says whether it may resume.
    pub fn renegotiating(&self, resume: bool) -> Renegotiating {
        Renegotiating {
            client_verify_data: self.client_verify_data.clone(),
            server_verify_data: self.server_verify_data.clone(),
            ems: self.master.ems,
            resume,
        }
    }

    /// True if a renegotiation may start now: allowed by policy and within the limits.
    fn may_renegotiate(&self, cx: &Context<'_>, peer_initiated: bool) -> bool {
        let policy = &cx.config.renegotiation;
        let within = !peer_initiated
            || (self.renegotiations_in_row < policy.max_in_a_row
                && self.renegotiations_total < policy.max_total);
        !policy.disabled && self.secure_renegotiation && within
    }

    /// Refuses a renegotiation with a warning no_renegotiation alert, as OpenSSL does.
    fn refuse(cx: &mut Context<'_>) -> Result<PostHandshake, TlsError> {
        cx.out.send(
            ContentType::ALERT,
            &[1, AlertDescription::NO_RENEGOTIATION.0],
            MAX_PLAINTEXT,
        )?;
        Ok(PostHandshake::Done)
    }

    fn count(&mut self) {
        self.renegotiations_in_row += 1;
        self.renegotiations_total += 1;
    }

    /// Starts a renegotiation as a client: sends the ClientHello, offering the current
    /// session when `abbreviated` (`SSL_renegotiate_abbreviated`, and OpenSSL's answer to
    /// a HelloRequest).
    pub fn start_client_renegotiation(
        &mut self,
        cx: &mut Context<'_>,
        abbreviated: bool,
    ) -> Result<Box<dyn State>, TlsError> {
        let opts = ClientOptions {
            sni: cx.info.sni.clone(),
            verify_host: cx.verify_host.map(str::to_owned),
            session: cx.info.session.clone().filter(|_| abbreviated),
            early_data: false,
        };
        crate::handshake::client::start(cx, &opts, Some(self.renegotiating(false)))
    }

    /// Starts a renegotiation we asked for (`SSL_renegotiate`): a client sends its
    /// ClientHello, a server a HelloRequest. Refused with NO_RENEGOTIATION when the
    /// policy or the peer does not allow it.
    pub fn renegotiate(
        &mut self,
        cx: &mut Context<'_>,
        abbreviated: bool,
    ) -> Result<Option<Box<dyn State>>, TlsError> {
        if !self.may_renegotiate(cx, false) {
            return Err(TlsError::local(
                Reason::NO_RENEGOTIATION,
                "renegotiation is disabled or the peer does not support it",
            ));
        }
        if self.is_client {
            return self.start_client_renegotiation(cx, abbreviated).map(Some);
        }
        let raw = HandshakeMessage::HelloRequest.encode()?;
        cx.out.send(ContentType::HANDSHAKE, &raw, MAX_PLAINTEXT)?;
        self.hello_request_sent = true;
        self.abbreviated = abbreviated;
        Ok(None)
    }

    /// Handles a message after the handshake: a HelloRequest (client) or a ClientHello
    /// (server) may start a renegotiation; anything else is unexpected. An accepted
    /// HelloRequest starts the new handshake at once when `start_now`, else it is left
    /// [`Traffic::owed`] for the driver.
    pub fn handle(
        &mut self,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
        start_now: bool,
    ) -> Result<PostHandshake, TlsError> {
        match msg {
            HandshakeMessage::HelloRequest if self.is_client => {
                if self.owed {
                    // Accepted already and not started yet: nothing more to do.
                    return Ok(PostHandshake::Done);
                }
                if !self.may_renegotiate(cx, true) {
                    return Self::refuse(cx);
                }
                self.count();
                if !start_now {
                    self.owed = true;
                    return Ok(PostHandshake::Done);
                }
                Ok(PostHandshake::Renegotiate(
                    self.start_client_renegotiation(cx, true)?,
                ))
            }
            HandshakeMessage::ClientHello(ch) if !self.is_client => {
                let asked =
                    self.hello_request_sent || cx.config.renegotiation.allow_client_initiated;
                if !asked || !self.may_renegotiate(cx, !self.hello_request_sent) {
                    return Self::refuse(cx);
                }
                if !self.hello_request_sent {
                    self.count();
                }
                // A renegotiation the client started may resume; one we asked for only
                // when we asked for an abbreviated one.
                let resume = (!self.hello_request_sent || self.abbreviated)
                    && !cx.config.renegotiation.no_resumption;
                self.hello_request_sent = false;
                let r = self.renegotiating(resume);
                match super::server::client_hello(cx, ch, raw, Some(r))? {
                    Next::Handshaking(state) => Ok(PostHandshake::Renegotiate(state)),
                    Next::Connected(_) => Err(TlsError::internal("renegotiation ended at once")),
                }
            }
            other => Err(crate::handshake::unexpected(
                "TLSv1.2 post-handshake",
                &other,
            )),
        }
    }
}
