//! TLS 1.3 resumption (RFC 8446 4.2.11, 4.6.1): the server's tickets, the client's
//! pre_shared_key offer with its binder, and the server's choice of an offered ticket.
//!
//! Only psk_dhe_ke is used: a resumed handshake still runs (EC)DHE, so it keeps forward
//! secrecy, and skips the certificate messages.

use super::key_schedule::{expand_label_hash, finished_mac, KeySchedule};
use crate::crypto::hash::{self, HashAlgorithm, Output};
use crate::crypto::rand;
use crate::error::TlsError;
use crate::handshake::client::HelloSent;
use crate::handshake::{random_err, Context, Transcript};
use crate::msgs::codec::{Prefix, Reader, Writer};
use crate::msgs::enums::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::msgs::extensions::{self as ext, Extensions};
use crate::msgs::handshake::{ClientHello, HandshakeMessage, NewSessionTicket13};
use crate::negotiated::EarlyData;
use crate::reason::Reason;
use crate::session::{der, Session, MAX_TICKET_LIFETIME};
use crate::suites::CipherSuite;

/// psk_dhe_ke (RFC 8446 4.2.9).
pub const PSK_DHE_KE: u8 = 1;
/// Most offered identities a server tries to open; later ones are ignored (each costs an
/// AEAD open and a binder).
pub const MAX_IDENTITIES_TRIED: usize = 4;

/// The binder of a PSK over a transcript hash: the Finished MAC keyed by the binder key.
fn binder(alg: HashAlgorithm, psk: &[u8], transcript_hash: &[u8]) -> Result<Output, TlsError> {
    let early = KeySchedule::new(alg, Some(psk));
    let empty = hash::digest(alg, b"");
    let binder_key = early.derive(b"res binder", empty.as_bytes())?;
    finished_mac(alg, binder_key.as_bytes(), transcript_hash)
}

/// The hash of the transcript so far followed by a truncated ClientHello.
fn truncated_hash(
    alg: HashAlgorithm,
    prior: &Transcript,
    truncated: &[u8],
) -> Result<Output, TlsError> {
    let mut t = prior.clone();
    t.add(truncated);
    t.digest_with(alg)
}

// ----- client -----

/// True if a client may offer `s` under this configuration at `now`.
pub(crate) fn offerable(cx: &Context<'_>, s: &Session) -> bool {
    s.version == ProtocolVersion::TLSV1_3
        && s.is_resumable()
        && !s.is_expired(cx.now())
        && cx
            .config
            .cipher_suites
            .iter()
            .any(|c| c.hash() == s.suite.hash())
}

/// The pre_shared_key extension offering `s`, with a zero binder that
/// [`fill_binder`] replaces once the ClientHello is encoded.
pub(crate) fn psk_extension(s: &Session, now: u64) -> Result<Vec<u8>, TlsError> {
    let age_ms = now.saturating_sub(s.time).saturating_mul(1000);
    let obfuscated = (age_ms as u32).wrapping_add(s.age_add);
    let zeros = vec![0u8; s.suite.hash().output_len()];
    let mut w = Writer::new();
    w.nested(Prefix::U16, |w| {
        w.vec(Prefix::U16, &s.ticket);
        w.bytes(&obfuscated.to_be_bytes());
    });
    w.nested(Prefix::U16, |w| w.vec(Prefix::U8, &zeros));
    Ok(w.finish()?)
}

/// Writes the binder into an encoded ClientHello whose last extension is the one from
/// [`psk_extension`]; `prior` is the transcript before this ClientHello.
pub(crate) fn fill_binder(raw: &mut [u8], s: &Session, prior: &Transcript) -> Result<(), TlsError> {
    let alg = s.suite.hash();
    let len = alg.output_len();
    let tail = 2 + 1 + len;
    let cut = raw
        .len()
        .checked_sub(tail)
        .ok_or_else(|| TlsError::internal("ClientHello shorter than its binders"))?;
    let h = truncated_hash(alg, prior, &raw[..cut])?;
    let b = binder(alg, &s.secret, h.as_bytes())?;
    let n = raw.len();
    raw[n - len..].copy_from_slice(b.as_bytes());
    Ok(())
}

/// True if the client may send early data with the PSK it offers: the ticket allows some,
/// its suite is offered, and its ALPN protocol is one the client offers (or it had none,
/// and the client offers none): RFC 8446 4.2.10.
pub(crate) fn early_data_possible(cx: &mut Context<'_>, sent: &HelloSent) -> bool {
    let Some(s) = sent.psk() else {
        return false;
    };
    let alpn_ok = match &s.alpn {
        Some(p) => cx.config.alpn_protocols.contains(p),
        None => cx.config.alpn_protocols.is_empty(),
    };
    sent.renegotiating.is_none()
        && s.max_early_data > 0
        && cx.config.cipher_suites.contains(&s.suite)
        && alpn_ok
}

/// After the ClientHello that offers early data: the compatibility CCS goes out at once
/// (RFC 8446 D.4), then records are protected with client_early_traffic_secret.
pub(crate) fn start_early_data(cx: &mut Context<'_>, sent: &mut HelloSent) -> Result<(), TlsError> {
    let s = sent
        .psk()
        .ok_or_else(|| TlsError::internal("early data without a PSK"))?;
    let (suite, max) = (s.suite, s.max_early_data);
    let secret = early_traffic_secret(cx, suite, &s.secret, &sent.transcript)?;
    if cx.config.middlebox_compat {
        cx.send_ccs()?;
        sent.sent_ccs = true;
    }
    cx.out.prot = crate::record::protect::Protection::Tls13(super::key_schedule::cipher(
        suite,
        secret.as_bytes(),
    )?);
    cx.info.early_data = EarlyData::Offered;
    cx.info.max_early_data = max;
    Ok(())
}

/// client_early_traffic_secret over the transcript through the ClientHello, logged.
pub(crate) fn early_traffic_secret(
    cx: &mut Context<'_>,
    suite: CipherSuite,
    psk: &[u8],
    transcript: &Transcript,
) -> Result<Output, TlsError> {
    let alg = suite.hash();
    let early = KeySchedule::new(alg, Some(psk));
    let h = transcript.digest_with(alg)?;
    let secret = early.derive(b"c e traffic", h.as_bytes())?;
    cx.keylog("CLIENT_EARLY_TRAFFIC_SECRET", &secret);
    Ok(secret)
}

/// Checks the server's pre_shared_key answer to our offer; true if it resumed.
pub(crate) fn server_accepted(
    offered: Option<&Session>,
    exts: &Extensions,
    suite: CipherSuite,
) -> Result<bool, TlsError> {
    let Some(body) = exts.get(ExtensionType::PRE_SHARED_KEY) else {
        return Ok(false);
    };
    let selected = ext::decode_u16(body)?;
    match offered {
        Some(s) if selected == 0 && s.suite.hash() == suite.hash() => Ok(true),
        _ => Err(TlsError::illegal(
            Reason::BAD_PSK,
            "server selected a PSK we did not offer, or with another hash",
        )),
    }
}

/// What every session from this handshake's tickets shares.
pub(crate) fn template(cx: &mut Context<'_>, suite: CipherSuite) -> Session {
    cx.session(ProtocolVersion::TLSV1_3, suite)
}

/// resumption_master_secret, from the transcript through the client Finished.
pub(crate) fn resumption_master(
    schedule: &KeySchedule,
    transcript: &Transcript,
) -> Result<Output, TlsError> {
    schedule.derive(b"res master", transcript.current()?.as_bytes())
}

/// The session a NewSessionTicket makes (none for a lifetime of 0: RFC 8446 4.6.1 says
/// discard it).
pub(crate) fn session_from_ticket(
    cx: &mut Context<'_>,
    template: &Session,
    res_master: &Output,
    t: &NewSessionTicket13,
) -> Result<Option<Session>, TlsError> {
    let now = cx.now();
    if t.lifetime > MAX_TICKET_LIFETIME {
        return Err(TlsError::illegal(
            Reason::BAD_EXTENSION,
            "ticket lifetime over seven days",
        ));
    }
    let max_early_data = match t.extensions.get(ExtensionType::EARLY_DATA) {
        Some(body) => {
            let mut r = Reader::new(body);
            let v = r.u32()?;
            r.finish()?;
            v
        }
        None => 0,
    };
    if t.extensions
        .0
        .iter()
        .any(|e| e.typ != ExtensionType::EARLY_DATA)
    {
        // Unknown NewSessionTicket extensions are ignored (RFC 8446 4.6.1); only a
        // duplicate is an error.
        crate::handshake::check_duplicates(&t.extensions)?;
    }
    if t.lifetime == 0 {
        return Ok(None);
    }
    let alg = template.suite.hash();
    let psk = expand_label_hash(alg, res_master.as_bytes(), b"resumption", &t.nonce)?;
    let id = hash::digest(HashAlgorithm::Sha256, &t.ticket);
    Ok(Some(Session {
        id: id.as_bytes().to_vec(),
        secret: psk.as_bytes().to_vec().into(),
        time: now,
        timeout: t.lifetime,
        ticket: t.ticket.clone(),
        age_add: t.age_add,
        max_early_data,
        ..template.clone()
    }))
}

// ----- server -----

/// A ticket the server accepted: the session in it, its index among the offers, the
/// ticket and the client's obfuscated ticket age (for early data).
pub(crate) struct Accepted {
    pub session: Session,
    pub index: u16,
    pub ticket: Vec<u8>,
    pub obfuscated_age: u32,
}

struct Offer<'a> {
    identities: Vec<&'a [u8]>,
    ages: Vec<u32>,
    binders: Vec<&'a [u8]>,
    /// Length of the binders list with its prefix: the tail of the ClientHello.
    binders_len: usize,
}

fn parse_offer(body: &[u8]) -> Result<Offer<'_>, TlsError> {
    let mut r = Reader::new(body);
    let mut ids = Reader::new(r.vec_u16()?);
    let binders_len = r.rest().len();
    let mut bs = Reader::new(r.vec_u16()?);
    r.finish()?;
    let (mut identities, mut ages) = (Vec::new(), Vec::new());
    while !ids.is_empty() {
        identities.push(ids.vec_u16()?);
        ages.push(ids.u32()?);
    }
    let mut binders = Vec::new();
    while !bs.is_empty() {
        binders.push(bs.vec_u8()?);
    }
    if identities.is_empty() || identities.len() != binders.len() {
        return Err(TlsError::illegal(
            Reason::BAD_EXTENSION,
            "pre_shared_key with no identity or a binder count that differs",
        ));
    }
    Ok(Offer {
        identities,
        ages,
        binders,
        binders_len,
    })
}

/// What a ticket must match to be resumed here; anything else means a full handshake.
pub(crate) struct Fit<'a> {
    pub suite: CipherSuite,
    pub sni: Option<&'a str>,
    pub alpn: Option<&'a [u8]>,
}

fn fits(cx: &mut Context<'_>, s: &Session, fit: &Fit<'_>) -> bool {
    s.version == ProtocolVersion::TLSV1_3
        && !s.secret.is_empty()
        && !s.is_expired(cx.now())
        && s.suite.hash() == fit.suite.hash()
        && s.sid_ctx == cx.config.resumption.sid_ctx
        && s.same_sni(fit.sni)
        && s.alpn.as_deref() == fit.alpn
        && crate::handshake::peer_auth::session_has_required_peer(cx, s, true)
}

/// The first offered ticket this server can resume, with its binder checked over the
/// transcript (`prior`: what came before this ClientHello). A ticket we cannot open or
/// that does not fit is skipped (full handshake); a wrong binder on one we accept is fatal
/// (decrypt_error).
pub(crate) fn accept(
    cx: &mut Context<'_>,
    ch: &ClientHello,
    raw: &[u8],
    prior: &Transcript,
    fit: &Fit<'_>,
) -> Result<Option<Accepted>, TlsError> {
    let Some(body) = ch.extensions.get(ExtensionType::PRE_SHARED_KEY) else {
        return Ok(None);
    };
    let Some(modes) = ch.extensions.get(ExtensionType::PSK_KEY_EXCHANGE_MODES) else {
        return Err(TlsError::fatal(
            AlertDescription::MISSING_EXTENSION,
            Reason::MISSING_PSK_KEX_MODES_EXTENSION,
            "pre_shared_key without psk_key_exchange_modes",
        ));
    };
    let offer = parse_offer(body)?;
    if !ext::decode_u8_list(modes)?.contains(&PSK_DHE_KE) || !cx.config.resumption.tickets {
        return Ok(None);
    }
    let now = cx.now();
    let keys = &cx.config.resumption.keys;
    for (i, identity) in offer
        .identities
        .iter()
        .enumerate()
        .take(MAX_IDENTITIES_TRIED)
    {
        let Some(plain) = keys.open(identity, now) else {
            continue;
        };
        let Ok(s) = der::decode(&plain) else {
            continue;
        };
        if !fits(cx, &s, fit) {
            continue;
        }
        let alg = s.suite.hash();
        let cut = raw
            .len()
            .checked_sub(offer.binders_len)
            .ok_or_else(|| TlsError::internal("ClientHello shorter than its binders"))?;
        let h = truncated_hash(alg, prior, &raw[..cut])?;
        let expected = binder(alg, &s.secret, h.as_bytes())?;
        if !hash::ct_eq(offer.binders[i], expected.as_bytes()) {
            return Err(TlsError::fatal(
                AlertDescription::DECRYPT_ERROR,
                Reason::BINDER_DOES_NOT_VERIFY,
                "PSK binder does not verify",
            ));
        }
        return Ok(Some(Accepted {
            session: s,
            index: i as u16,
            ticket: identity.to_vec(),
            obfuscated_age: offer.ages[i],
        }));
    }
    Ok(None)
}

/// How far (ms) the client's idea of a ticket's age may be from the server's: the server
/// counts whole seconds, so its own error is up to a second, plus network delay.
const AGE_TOLERANCE_MS: i64 = 10_000;

/// Server: whether to accept the early data the client offered with `a`: the
/// application reads it, the ticket and the server allow it, it is the first PSK, the
/// suite and ALPN are the ticket's (RFC 8446 4.2.10), no HelloRetryRequest happened, the
/// ticket's age is plausible, and this ticket's early data was not used before.
pub(crate) fn accept_early_data(
    cx: &mut Context<'_>,
    a: &Accepted,
    suite: CipherSuite,
    alpn: Option<&[u8]>,
    after_hrr: bool,
) -> bool {
    let s = &a.session;
    let now = cx.now();
    let client_age = i64::from(a.obfuscated_age.wrapping_sub(s.age_add));
    let server_age = now.saturating_sub(s.time).saturating_mul(1000) as i64;
    let fits = cx.accept_early_data
        && cx.config.resumption.max_early_data > 0
        && s.max_early_data > 0
        && a.index == 0
        && !after_hrr
        && s.suite == suite
        && s.alpn.as_deref() == alpn
        && (client_age - server_age).abs() <= AGE_TOLERANCE_MS;
    let expires = s.time.saturating_add(u64::from(s.timeout));
    fits && cx
        .config
        .resumption
        .replay
        .first_use(&a.ticket, now, expires)
}

/// Bytes of rejected early data a server skips: its own limit, and at least one record's
/// worth, as OpenSSL's default.
pub(crate) fn early_skip_budget(cx: &mut Context<'_>) -> usize {
    (cx.config.resumption.max_early_data as usize).max(crate::record::MAX_PLAINTEXT)
}

/// Sends the server's tickets after the client's Finished: each one the session of this
/// connection with its own PSK (from `res_master` and a per-ticket nonce), sealed with
/// the context's ticket keys. After a resumed handshake at most one is sent, as OpenSSL
/// does.
pub(crate) fn send_tickets(
    cx: &mut Context<'_>,
    suite: CipherSuite,
    res_master: &Output,
) -> Result<(), TlsError> {
    let r = &cx.config.resumption;
    let most = if cx.info.resumed { 1 } else { 16 };
    let count = if r.tickets {
        r.num_tickets.min(most)
    } else {
        0
    };
    let now = cx.now();
    let alg = suite.hash();
    let lifetime = r.timeout.min(MAX_TICKET_LIFETIME);
    let mut session = template(cx, suite);
    session.timeout = lifetime;
    session.max_early_data = r.max_early_data;
    let mut extensions = Extensions::default();
    if r.max_early_data > 0 {
        extensions.push(
            ExtensionType::EARLY_DATA,
            r.max_early_data.to_be_bytes().to_vec(),
        );
    }
    for n in 0..count {
        let nonce = [n as u8];
        let psk = expand_label_hash(alg, res_master.as_bytes(), b"resumption", &nonce)?;
        session.secret = psk.as_bytes().to_vec().into();
        session.age_add = u32::from_be_bytes(rand::array().map_err(random_err)?);
        let ticket = cx
            .config
            .resumption
            .keys
            .seal(&der::encode(&session), now)
            .map_err(random_err)?;
        let msg = HandshakeMessage::NewSessionTicket(NewSessionTicket13 {
            lifetime,
            age_add: session.age_add,
            nonce: nonce.to_vec(),
            ticket,
            extensions: extensions.clone(),
        });
        let raw = msg.encode()?;
        cx.out.send(
            crate::msgs::enums::ContentType::HANDSHAKE,
            &raw,
            crate::record::MAX_PLAINTEXT,
        )?;
    }
    if count > 0 {
        // The connection's own session (`SSL_get_session`), without a secret.
        let id: [u8; 32] = rand::array().map_err(random_err)?;
        session.id = id.to_vec();
        session.secret.clear();
        cx.info.session = Some(std::sync::Arc::new(session));
    }
    Ok(())
}
