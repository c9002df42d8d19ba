//! TLS 1.2 resumption: session ids with the server's cache (RFC 5246 7.3), RFC 5077
//! tickets, and the abbreviated handshake both sides run when a session is resumed
//! (server: ServerHello, (NewSessionTicket), CCS, Finished; then the client's CCS and
//! Finished).
//!
//! Only sessions with the extended master secret are made resumable or resumed (RFC 7627
//! 5.3); a ClientHello without it for a session that had it is refused.

use super::traffic::Traffic;
use super::{send_finished, MasterSecret};
use crate::error::TlsError;
use crate::handshake::client::Renegotiating;
use crate::handshake::peer_auth;
use crate::handshake::{Context, Next, State, Traffic as AnyTraffic, Transcript};
use crate::msgs::enums::{AlertDescription, ProtocolVersion};
use crate::msgs::handshake::{ClientHello, HandshakeMessage, NewSessionTicket12};
use crate::reason::Reason;
use crate::record::protect::Protection;
use crate::session::{der, Session, DEFAULT_TIMEOUT, MAX_TICKET_LIFETIME};
use std::sync::Arc;

/// The session a handshake just made, from what it settled.
pub(crate) fn new_session(cx: &Context<'_>, master: &MasterSecret, id: Vec<u8>) -> Session {
    Session {
        id,
        secret: master.master().to_vec().into(),
        ems: master.ems,
        ..cx.session(ProtocolVersion::TLSV1_2, master.suite())
    }
}

/// Makes `s` the connection's session: cached by a server (`cache`) under its id, handed
/// to the caller when resumable.
pub(crate) fn store(cx: &mut Context<'_>, s: Session, cache: bool) {
    if !s.is_resumable() {
        cx.info.session = Some(Arc::new(s));
        return;
    }
    if cache && !s.id.is_empty() && cx.config.resumption.cache_store {
        cx.config.resumption.cache.insert(Arc::new(s.clone()));
    }
    cx.new_session(s);
}

/// Sends a NewSessionTicket carrying `s` sealed with the server's ticket keys.
pub(crate) fn send_ticket(
    cx: &mut Context<'_>,
    s: &Session,
    transcript: &mut Transcript,
) -> Result<(), TlsError> {
    let ticket = cx
        .config
        .resumption
        .keys
        .seal(&der::encode(s), cx.now())
        .map_err(|e| TlsError::internal(e.0))?;
    let msg = HandshakeMessage::NewSessionTicket12(NewSessionTicket12 {
        lifetime_hint: s.timeout,
        ticket,
    });
    cx.send(&msg, transcript)
}

// ----- server -----

/// The session a ClientHello asks to resume, if this server has it and it fits: from a
/// ticket we sealed, else from the cache by session id.
pub(crate) fn find(
    cx: &Context<'_>,
    ch: &ClientHello,
    b: &super::server::Basics,
) -> Result<Option<Session>, TlsError> {
    let r = &cx.config.resumption;
    let now = cx.now();
    let from_ticket = match &b.ticket {
        Some(t) if r.tickets && !t.is_empty() => {
            r.keys.open(t, now).and_then(|p| der::decode(&p).ok())
        }
        _ => None,
    };
    let session = match from_ticket {
        Some(s) => Some(s),
        None if r.cache_lookup && !ch.session_id.is_empty() => {
            r.cache.get(&ch.session_id, now).map(|s| (*s).clone())
        }
        None => None,
    };
    let Some(s) = session else {
        return Ok(None);
    };
    let fits = s.version == ProtocolVersion::TLSV1_2
        && s.ems
        && !s.is_expired(now)
        && s.sid_ctx == r.sid_ctx
        && s.same_sni(b.sni.as_deref())
        && s.alpn == b.alpn
        && ch.cipher_suites.contains(&s.suite.to_u16())
        && cx.config.tls12_cipher_suites.contains(&s.suite)
        && peer_auth::session_has_required_peer(cx, &s, false);
    if !fits {
        return Ok(None);
    }
    if !b.ems {
        return Err(TlsError::fatal(
            AlertDescription::HANDSHAKE_FAILURE,
            Reason::INCONSISTENT_EXTMS,
            "resuming an extended-master-secret session without the extension",
        ));
    }
    Ok(Some(s))
}

/// Runs the server's side of an abbreviated handshake for `s`.
pub(crate) fn resume(
    cx: &mut Context<'_>,
    ch: &ClientHello,
    raw: &[u8],
    b: &super::server::Basics,
    s: Session,
    renegotiating: Option<Renegotiating>,
) -> Result<Next, TlsError> {
    cx.info.resumed = true;
    let hello = (s.suite, ch.session_id.clone(), false);
    let mut transcript =
        super::server::send_server_hello(cx, ch, raw, b, renegotiating.as_ref(), hello)?;
    adopt(cx, &s);
    let master = MasterSecret::resumed(cx, s.suite, &s.secret, true)?;
    let (client_write, server_write) = master.ciphers()?;
    cx.send_ccs()?;
    cx.out.prot = server_write;
    let server_verify_data = send_finished(cx, &master, false, &mut transcript)?;
    cx.info.session = Some(Arc::new(s));
    Ok(Next::Handshaking(Box::new(ExpectCcs(Abbreviated {
        is_client: false,
        master,
        transcript,
        read: client_write,
        write: None,
        server_verify_data: Some(server_verify_data),
        ticket: PromisedTicket::default(),
        secure_renegotiation: b.secure_renegotiation,
        renegotiation: renegotiating.is_some(),
    }))))
}

/// What a resumed handshake takes over from the session: the peer's identity (published
/// when the peer's Finished verifies).
fn adopt(cx: &mut Context<'_>, s: &Session) {
    cx.info.group = None;
    peer_auth::hold_session_identity(cx, s);
}

// ----- client -----

/// Continues a client's handshake after a ServerHello that resumed `s`.
pub(crate) fn client_resumed(
    cx: &mut Context<'_>,
    s: &Session,
    transcript: Transcript,
    ticket_expected: bool,
    secure_renegotiation: bool,
    renegotiation: bool,
) -> Result<Next, TlsError> {
    cx.info.resumed = true;
    adopt(cx, s);
    let master = MasterSecret::resumed(cx, s.suite, &s.secret, s.ems)?;
    let (client_write, server_write) = master.ciphers()?;
    cx.info.session = Some(Arc::new(s.clone()));
    Ok(Next::Handshaking(Box::new(ExpectCcs(Abbreviated {
        is_client: true,
        master,
        transcript,
        read: server_write,
        write: Some(client_write),
        server_verify_data: None,
        ticket: PromisedTicket::new(ticket_expected),
        secure_renegotiation,
        renegotiation,
    }))))
}

/// The NewSessionTicket a client waits for when the ServerHello had session_ticket (RFC
/// 5077 3.3): it comes before the server's CCS, once.
#[derive(Default)]
pub(crate) struct PromisedTicket {
    expected: bool,
    /// The ticket and its lifetime, capped as for TLS 1.3 tickets.
    got: Option<(Vec<u8>, u32)>,
}

impl PromisedTicket {
    pub fn new(expected: bool) -> Self {
        PromisedTicket {
            expected,
            got: None,
        }
    }

    /// Takes `msg` if it is the promised ticket (adding it to the transcript); any other
    /// message is unexpected in `state`.
    pub fn receive(
        &mut self,
        msg: HandshakeMessage,
        raw: &[u8],
        transcript: &mut Transcript,
        state: &str,
    ) -> Result<(), TlsError> {
        match msg {
            HandshakeMessage::NewSessionTicket12(t) if self.expected && self.got.is_none() => {
                transcript.add(raw);
                let lifetime = match t.lifetime_hint {
                    0 => DEFAULT_TIMEOUT,
                    n => n.min(MAX_TICKET_LIFETIME),
                };
                self.got = Some((t.ticket, lifetime));
                Ok(())
            }
            other => Err(crate::handshake::unexpected(state, &other)),
        }
    }

    /// The server's CCS may come only after the promised ticket.
    pub fn check_before_ccs(&self) -> Result<(), TlsError> {
        if self.expected && self.got.is_none() {
            return Err(
                TlsError::unexpected("CCS before the promised NewSessionTicket")
                    .with_reason(Reason::UNEXPECTED_CCS_MESSAGE),
            );
        }
        Ok(())
    }

    /// The ticket received, if any.
    pub fn take(&mut self) -> Option<(Vec<u8>, u32)> {
        self.got.take()
    }
}

/// Puts a received ticket into a client session. Its id becomes the ticket's SHA-256, as
/// OpenSSL does, so the server's echo of it in the ServerHello tells the resumption (RFC
/// 5077 3.4) and the session file means the same to OpenSSL.
pub(crate) fn attach_ticket(s: &mut Session, ticket: Vec<u8>, lifetime: u32) {
    s.id = crate::crypto::hash::digest(crate::crypto::hash::HashAlgorithm::Sha256, &ticket)
        .as_bytes()
        .to_vec();
    s.ticket = ticket;
    s.timeout = lifetime;
}

/// The end of an abbreviated handshake.
struct Abbreviated {
    is_client: bool,
    master: MasterSecret,
    transcript: Transcript,
    /// The peer's write protection, installed at its CCS.
    read: Protection,
    /// Client: our write protection, installed at our CCS.
    write: Option<Protection>,
    /// Server: the verify_data it sent first.
    server_verify_data: Option<Vec<u8>>,
    /// Client: the ticket the server promised.
    ticket: PromisedTicket,
    secure_renegotiation: bool,
    renegotiation: bool,
}

struct ExpectCcs(Abbreviated);

impl State for ExpectCcs {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read change cipher spec"
    }

    fn handle(
        mut self: Box<Self>,
        _cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let name = self.name();
        let a = &mut self.0;
        a.ticket.receive(msg, raw, &mut a.transcript, name)?;
        Ok(Next::Handshaking(self))
    }

    fn handle_ccs(self: Box<Self>, cx: &mut Context<'_>) -> Result<Next, TlsError> {
        let mut a = self.0;
        a.ticket.check_before_ccs()?;
        let read = std::mem::replace(&mut a.read, Protection::None);
        *cx.new_read = Some(read);
        Ok(Next::Handshaking(Box::new(ExpectFinished(a))))
    }
}

struct ExpectFinished(Abbreviated);

impl State for ExpectFinished {
    fn name(&self) -> &'static str {
        "SSLv3/TLS read finished"
    }

    fn handle(
        self: Box<Self>,
        cx: &mut Context<'_>,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<Next, TlsError> {
        let verify_data = expect!(msg, self, HandshakeMessage::Finished);
        let mut a = self.0;
        let peer_vd = a
            .master
            .check_finished(!a.is_client, &a.transcript, &verify_data)?;
        peer_auth::publish(cx);
        let (client_vd, server_vd) = if a.is_client {
            a.transcript.add(raw);
            cx.send_ccs()?;
            if let Some(w) = a.write.take() {
                cx.out.prot = w;
            }
            let ours = send_finished(cx, &a.master, true, &mut a.transcript)?;
            if let (Some((ticket, lifetime)), Some(current)) = (a.ticket.take(), &cx.info.session) {
                let mut s = (**current).clone();
                attach_ticket(&mut s, ticket, lifetime);
                s.time = cx.now();
                cx.new_session(s);
            }
            (ours, peer_vd)
        } else {
            let ours = a.server_verify_data.take().unwrap_or_default();
            (peer_vd, ours)
        };
        let mut traffic =
            Traffic::new(a.is_client, a.master, client_vd, server_vd, a.renegotiation);
        traffic.secure_renegotiation = a.secure_renegotiation;
        Ok(Next::Connected(AnyTraffic::Tls12(Box::new(traffic))))
    }
}
