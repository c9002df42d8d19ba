//! TLS 1.3 post-handshake client authentication (RFC 8446 4.6.2): a server that asks for
//! a client certificate after the handshake (`SSL_verify_client_post_handshake`), and the
//! client's answer (`SSL_set_post_handshake_auth`). Each request is authenticated over the
//! handshake transcript plus the CertificateRequest, with the client's current application
//! traffic secret as the Finished key.

use super::client::send_client_certificate;
use super::peer_auth::{
    certificate_request_extensions, check_certificate_verify, read_certificate_request,
};
use crate::config::Config;
use crate::crypto::hash::Output;
use crate::crypto::rand;
use crate::error::TlsError;
use crate::handshake::peer_auth::{self, accept_client_certificate};
use crate::handshake::{check_duplicates, random_err, Context, Transcript};
use crate::msgs::enums::{AlertDescription, ContentType};
use crate::msgs::handshake::{CertificateRequest13, HandshakeMessage};
use crate::reason::Reason;
use crate::record::writer::RecordWriter;
use crate::record::MAX_PLAINTEXT;
use crate::suites::CipherSuite;
use crate::x509::CertificateDer;

/// Post-handshake authentication on a connection where the client offered it.
pub struct PostHandshakeAuth {
    /// The handshake transcript through the client's Finished.
    base: Transcript,
    /// Server: the request waiting for the client's answer.
    pending: Option<Pending>,
}

struct Pending {
    context: Vec<u8>,
    transcript: Transcript,
    step: Step,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Certificate,
    CertificateVerify,
    Finished,
}

impl PostHandshakeAuth {
    /// Authentication over the handshake that `base` transcribes.
    pub fn new(base: Transcript) -> Self {
        PostHandshakeAuth {
            base,
            pending: None,
        }
    }

    /// Server: a request is waiting for the client's answer.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Server: the client's answer has started (its Certificate arrived) and not ended.
    /// Its CertificateVerify and Finished come in a row (RFC 8446 4.6.2): no application
    /// data and no other message may come between.
    pub fn answer_started(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.step != Step::Certificate)
    }

    /// Server: whether `msg` belongs to the pending request: the messages of an answer,
    /// and once the answer started every message (any but the expected next one is then
    /// unexpected_message).
    pub fn takes(&self, msg: &HandshakeMessage) -> bool {
        let answer = matches!(
            msg,
            HandshakeMessage::Certificate(_)
                | HandshakeMessage::CertificateVerify(_)
                | HandshakeMessage::Finished(_)
        );
        self.is_pending() && (answer || self.answer_started())
    }

    /// Server: sends a CertificateRequest with a fresh context and our signature schemes.
    pub fn request(&mut self, out: &mut RecordWriter, config: &Config) -> Result<(), TlsError> {
        if self.pending.is_some() {
            return Err(TlsError::local(
                Reason::STILL_IN_INIT,
                "a post-handshake certificate request is already waiting",
            ));
        }
        let context = rand::array::<32>().map_err(random_err)?.to_vec();
        let extensions = certificate_request_extensions(config)?;
        let raw = HandshakeMessage::CertificateRequest(CertificateRequest13 {
            context: context.clone(),
            extensions,
        })
        .encode()?;
        out.send(ContentType::HANDSHAKE, &raw, MAX_PLAINTEXT)?;
        let mut transcript = self.base.clone();
        transcript.add(&raw);
        self.pending = Some(Pending {
            context,
            transcript,
            step: Step::Certificate,
        });
        Ok(())
    }

    /// Client: answers a CertificateRequest with our certificate (or an empty one), its
    /// CertificateVerify and a Finished keyed by our application traffic secret.
    pub fn answer(
        &self,
        cx: &mut Context<'_>,
        suite: CipherSuite,
        client_secret: &Output,
        cr: CertificateRequest13,
        raw: &[u8],
    ) -> Result<(), TlsError> {
        let schemes = read_certificate_request(cx, &cr.extensions)?;
        let mut transcript = self.base.clone();
        transcript.add(raw);
        send_client_certificate(cx, &mut transcript, cr.context, &schemes)?;
        let fin = super::finished(suite, client_secret, &transcript)?;
        cx.send(&fin, &mut transcript)
    }

    /// Server: one message of the client's answer. The chain is verified as in the
    /// handshake and held until the client's Finished verifies, which makes it the peer's
    /// identity; a refusal is the same fatal alert.
    pub fn receive(
        &mut self,
        cx: &mut Context<'_>,
        suite: CipherSuite,
        client_secret: &Output,
        msg: HandshakeMessage,
        raw: &[u8],
    ) -> Result<(), TlsError> {
        let Some(p) = self.pending.as_mut() else {
            return Err(crate::handshake::unexpected("post-handshake", &msg));
        };
        match (p.step, msg) {
            (Step::Certificate, HandshakeMessage::Certificate(cert)) => {
                if cert.context != p.context {
                    return Err(TlsError::illegal(
                        Reason::INVALID_CONTEXT,
                        "certificate_request_context does not match the request",
                    ));
                }
                for e in &cert.entries {
                    check_duplicates(&e.extensions)?;
                }
                let chain: Vec<CertificateDer<'static>> = cert
                    .entries
                    .into_iter()
                    .map(|e| CertificateDer::from(e.cert))
                    .collect();
                p.transcript.add(raw);
                let sent =
                    accept_client_certificate(cx, chain, AlertDescription::CERTIFICATE_REQUIRED)?;
                p.step = if sent {
                    Step::CertificateVerify
                } else {
                    Step::Finished
                };
                Ok(())
            }
            (Step::CertificateVerify, HandshakeMessage::CertificateVerify(cv)) => {
                check_certificate_verify(cx, &cv, &p.transcript, false)?;
                p.transcript.add(raw);
                p.step = Step::Finished;
                Ok(())
            }
            (Step::Finished, HandshakeMessage::Finished(verify_data)) => {
                super::check_finished(suite, client_secret, &p.transcript, &verify_data)?;
                peer_auth::publish(cx);
                self.pending = None;
                Ok(())
            }
            (_, other) => Err(crate::handshake::unexpected(
                "post-handshake authentication",
                &other,
            )),
        }
    }
}
