//! The sans-IO connection: transport bytes in ([`Connection::read_tls`]), transport bytes
//! out ([`Connection::pending_tls`]), plaintext in ([`Connection::write_app_record`]) and
//! out ([`Connection::read_app`]). No sockets, no clocks beyond the configured source.
//!
//! The write side builds one record per call straight into the output buffer and reports
//! how many plaintext bytes it holds, which is what `SSL_write`'s retry and partial-write
//! rules need. The read side opens records in place and keeps application data there
//! until it is read.

pub mod keylog;

use crate::config::Config;
use crate::error::TlsError;
pub use crate::handshake::client::ClientOptions;
use crate::handshake::peer_auth::PendingPeer;
use crate::handshake::{self, Context, Next, State, Traffic};
pub use crate::handshake::{ClientHelloInfo, HelloDecision};
use crate::msgs::enums::ProtocolVersion;
use crate::msgs::enums::{AlertDescription, ContentType, HandshakeType};
use crate::msgs::handshake::HandshakeMessage;
use crate::negotiated::Negotiated;
use crate::reason::Reason;
use crate::record::joiner::HandshakeJoiner;
use crate::record::reader::RecordReader;
use crate::record::writer::RecordWriter;
use crate::record::MAX_PLAINTEXT;
use crate::tls12::traffic::{PostHandshake, Traffic as Traffic12};
use std::sync::Arc;

/// Most change_cipher_spec records accepted during a TLS 1.3 handshake: a peer sends at
/// most one (RFC 8446 D.4).
const MAX_CCS: u32 = 1;
/// Most empty records accepted in a row (OpenSSL's MAX_EMPTY_RECORDS).
const MAX_EMPTY_RECORDS: u32 = 32;
/// Most warning alerts (user_canceled) accepted in a row (OpenSSL's MAX_WARN_ALERT_COUNT).
const MAX_WARNING_ALERTS: u32 = 5;

/// What processing one record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// No whole record is buffered: feed more transport bytes ([`Connection::wanted`] says
    /// how many complete the next record).
    NeedData,
    /// One or more handshake messages were processed (during or after the handshake).
    Handshake,
    /// Application data is held; read it with [`Connection::read_app`].
    ApplicationData,
    /// A record that carried nothing for the caller (compatibility CCS, empty record,
    /// warning alert).
    Ignored,
    /// The peer's close_notify arrived (now or earlier): no more data will come.
    CloseNotify,
    /// Server with [`Config::pause_on_client_hello`]: a ClientHello waits for the
    /// application ([`Connection::client_hello`]); nothing more is processed until
    /// [`Connection::resume_client_hello`].
    ClientHello,
}

enum Phase {
    NotStarted,
    Handshaking(Box<dyn State>),
    Connected(Traffic),
    /// A TLS 1.2 renegotiation: the new handshake runs under the current keys.
    Renegotiating {
        traffic: Box<Traffic12>,
        state: Box<dyn State>,
    },
    Failed,
}

/// One TLS connection, client or server, driven entirely by its caller.
pub struct Connection {
    config: Arc<Config>,
    is_client: bool,
    client_opts: ClientOptions,
    reader: RecordReader,
    writer: RecordWriter,
    joiner: HandshakeJoiner,
    phase: Phase,
    info: Negotiated,
    /// The peer identity offered in the running handshake, not yet proven.
    pending_peer: PendingPeer,
    error: Option<TlsError>,
    received_close_notify: bool,
    sent_close_notify: bool,
    ccs_seen: u32,
    empty_in_row: u32,
    warnings_in_row: u32,
    handshake_messages: u64,
    auto_key_update: bool,
    auto_renegotiate: bool,
    /// The state last reported to the observer.
    last_state: &'static str,
    /// New sessions not yet taken by the caller (only kept with `collect_new`).
    new_sessions: Vec<Arc<crate::session::Session>>,
    /// A change to the reader's early-data skipping, from the last message handled.
    early_skip: Option<crate::record::reader::SkipEarly>,
    /// Server: early data may be accepted (the application reads it).
    accept_early_data: bool,
    /// Early data bytes received (server) or written (client).
    early_bytes: u32,
    /// Server: the application's decision about the ClientHello, once made.
    hello: Option<HelloDecision>,
    /// Key log lines not yet taken ([`Config::keylog_lines`]).
    keylog_lines: Vec<String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("is_client", &self.is_client)
            .field("state", &self.state_name())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Connection {
    fn new(config: Arc<Config>, is_client: bool, client_opts: ClientOptions) -> Self {
        let joiner = HandshakeJoiner::new(config.max_cert_list);
        let mut writer = RecordWriter::default();
        writer.observer = config.observer.clone();
        Connection {
            config,
            is_client,
            client_opts,
            reader: RecordReader::default(),
            writer,
            joiner,
            phase: Phase::NotStarted,
            info: Negotiated::default(),
            pending_peer: PendingPeer::default(),
            error: None,
            received_close_notify: false,
            sent_close_notify: false,
            ccs_seen: 0,
            empty_in_row: 0,
            warnings_in_row: 0,
            handshake_messages: 0,
            auto_key_update: true,
            auto_renegotiate: true,
            last_state: "",
            new_sessions: Vec::new(),
            early_skip: None,
            accept_early_data: false,
            early_bytes: 0,
            hello: None,
            keylog_lines: Vec::new(),
        }
    }

    /// A client connection. Nothing is sent until [`Connection::start`] (or the first
    /// processing call).
    pub fn client(config: Arc<Config>, opts: ClientOptions) -> Self {
        Self::new(config, true, opts)
    }

    /// A server connection, waiting for a ClientHello.
    pub fn server(config: Arc<Config>) -> Self {
        Self::new(config, false, ClientOptions::default())
    }

    /// True for the client side.
    pub fn is_client(&self) -> bool {
        self.is_client
    }

    /// The configuration.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Starts the handshake: a client queues its ClientHello. Idempotent.
    pub fn start(&mut self) -> Result<(), TlsError> {
        self.check_failed()?;
        if !matches!(self.phase, Phase::NotStarted) {
            return Ok(());
        }
        self.reader.allow_plaintext_alerts = true;
        self.observe_state();
        if self.is_client {
            let mut new_read = None;
            let opts = self.client_opts.clone();
            let mut cx = self.context(&mut new_read);
            match handshake::client::start(&mut cx, &opts, None) {
                Ok(state) => self.phase = Phase::Handshaking(state),
                Err(e) => return Err(self.fail(e)),
            }
        } else {
            self.phase = Phase::Handshaking(handshake::server::start());
        }
        self.observe_state();
        Ok(())
    }

    /// What a handshake state may touch while handling one message.
    fn context<'a>(
        &'a mut self,
        new_read: &'a mut Option<crate::record::protect::Protection>,
    ) -> Context<'a> {
        Context {
            config: &self.config,
            out: &mut self.writer,
            new_read,
            info: &mut self.info,
            peer: &mut self.pending_peer,
            verify_host: self.client_opts.verify_host.as_deref(),
            new_sessions: &mut self.new_sessions,
            early_skip: &mut self.early_skip,
            accept_early_data: self.accept_early_data,
            hello: self.hello.as_ref(),
            keylog_lines: &mut self.keylog_lines,
        }
    }

    /// Server: accept the client's early data (0-RTT) when the configuration and its
    /// ticket allow it; the application then reads it before the handshake completes
    /// (`SSL_read_early_data`). Off by default: early data is skipped, as RFC 8446 4.2.10
    /// says. Call before the handshake starts.
    pub fn set_accept_early_data(&mut self, on: bool) {
        self.accept_early_data = on;
    }

    /// Server: true while the client's early data may still arrive (accepted, and its
    /// EndOfEarlyData not yet processed).
    pub fn in_early_data(&self) -> bool {
        matches!(&self.phase, Phase::Handshaking(s) if s.early_data_window())
    }

    /// Client: seals one early-data (0-RTT) record of up to `max_fragment` bytes of `data`
    /// and returns how many it holds. Possible after [`Connection::start`] offered early
    /// data (a session whose ticket allows it, and [`ClientOptions::early_data`]) and until
    /// the ServerHello arrives, within the ticket's limit.
    pub fn write_early_data(
        &mut self,
        data: &[u8],
        max_fragment: usize,
    ) -> Result<usize, TlsError> {
        self.check_failed()?;
        if matches!(self.phase, Phase::NotStarted) {
            self.start()?;
        }
        let open = self.is_client
            && matches!(self.phase, Phase::Handshaking(_))
            && self.info.early_data == crate::negotiated::EarlyData::Offered
            && self.info.version.is_none();
        if !open {
            return Err(TlsError::local(
                Reason::SHOULD_NOT_HAVE_BEEN_CALLED,
                "early data was not offered, or the server has answered",
            ));
        }
        let room = self.info.max_early_data.saturating_sub(self.early_bytes) as usize;
        if room == 0 && !data.is_empty() {
            return Err(TlsError::local(
                Reason::TOO_MUCH_EARLY_DATA,
                "the ticket's early data limit is reached",
            ));
        }
        let n = data
            .len()
            .min(room)
            .min(max_fragment.clamp(1, MAX_PLAINTEXT));
        if n == 0 {
            return Ok(0);
        }
        if let Err(e) = self.writer.seal(ContentType::APPLICATION_DATA, &data[..n]) {
            return Err(self.fail(e));
        }
        self.early_bytes += n as u32;
        Ok(n)
    }

    /// Takes the sessions made since the last call (each ticket received, each TLS 1.2
    /// handshake), for a new-session callback. Kept only when the configuration's
    /// `resumption.collect_new` is set; [`Negotiated::session`] always has the latest.
    pub fn take_new_sessions(&mut self) -> Vec<Arc<crate::session::Session>> {
        std::mem::take(&mut self.new_sessions)
    }

    /// Drops new sessions nobody will collect, and bounds those kept for a caller that
    /// does not collect them (the latest count).
    fn trim_new_sessions(&mut self) {
        const MAX_KEPT: usize = 16;
        if !self.config.resumption.collect_new {
            self.new_sessions.clear();
        } else if self.new_sessions.len() > MAX_KEPT {
            let excess = self.new_sessions.len() - MAX_KEPT;
            self.new_sessions.drain(..excess);
        }
    }

    /// True until the handshake has completed (also before it started), and while a
    /// renegotiation runs.
    pub fn is_handshaking(&self) -> bool {
        matches!(
            self.phase,
            Phase::NotStarted | Phase::Handshaking(_) | Phase::Renegotiating { .. }
        )
    }

    /// True while a TLS 1.2 renegotiation runs, or (server) after our HelloRequest until
    /// the client's ClientHello (`SSL_renegotiate_pending`).
    pub fn renegotiate_pending(&self) -> bool {
        match &self.phase {
            Phase::Renegotiating { .. } => true,
            Phase::Connected(Traffic::Tls12(t)) => t.hello_request_sent || t.owed,
            _ => false,
        }
    }

    /// True once TLS 1.2 was negotiated.
    fn is_tls12(&self) -> bool {
        self.info.version == Some(ProtocolVersion::TLSV1_2)
    }

    /// Replaces the configuration; it applies to handshakes that start later (a
    /// renegotiation), as OpenSSL applies `SSL_set_*` calls made after the handshake.
    pub fn set_config(&mut self, config: Arc<Config>) {
        self.config = config;
    }

    /// True once the handshake completed and the connection has not failed.
    pub fn is_connected(&self) -> bool {
        matches!(self.phase, Phase::Connected(_))
    }

    /// The fatal error that ended this connection, if any.
    pub fn error(&self) -> Option<&TlsError> {
        self.error.as_ref()
    }

    /// What the handshake negotiated so far.
    pub fn negotiated(&self) -> &Negotiated {
        &self.info
    }

    /// A short description of the handshake state.
    pub fn state_name(&self) -> &'static str {
        match &self.phase {
            Phase::NotStarted => "before SSL initialization",
            Phase::Handshaking(s) | Phase::Renegotiating { state: s, .. } => s.name(),
            Phase::Connected(_) => "SSL negotiation finished successfully",
            Phase::Failed => "error",
        }
    }

    /// How many handshake messages this connection has processed (also after the
    /// handshake: tickets, KeyUpdates, renegotiations). A C layer clears OpenSSL's error
    /// queue when this moves, as OpenSSL's state machine does on entry.
    pub fn handshake_messages(&self) -> u64 {
        self.handshake_messages
    }

    /// True once the peer's close_notify has been processed.
    pub fn received_close_notify(&self) -> bool {
        self.received_close_notify
    }

    /// True once we queued our close_notify.
    pub fn sent_close_notify(&self) -> bool {
        self.sent_close_notify
    }

    fn check_failed(&self) -> Result<(), TlsError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Latches a fatal error, queueing its alert for the peer.
    fn fail(&mut self, e: TlsError) -> TlsError {
        if let Some(alert) = e.alert {
            let _ = self
                .writer
                .send(ContentType::ALERT, &[2, alert.0], MAX_PLAINTEXT);
        }
        self.phase = Phase::Failed;
        self.pending_peer.clear();
        self.error = Some(e.clone());
        e
    }

    // ----- transport side -----

    /// Accepts transport bytes; returns how many were taken (0 when the bounded input
    /// buffer is full: process records first).
    pub fn read_tls(&mut self, data: &[u8]) -> usize {
        self.reader.read_tls(data)
    }

    /// A buffer region of up to `want` bytes to read transport data into directly; then
    /// call [`Connection::commit_tls_read`] with the region's length and the count read.
    pub fn tls_read_space(&mut self, want: usize) -> &mut [u8] {
        self.reader.space(want)
    }

    /// Keeps `n` bytes of the region from [`Connection::tls_read_space`].
    pub fn commit_tls_read(&mut self, space_len: usize, n: usize) {
        self.reader.commit(space_len, n);
    }

    /// Transport bytes that complete the next record (exact-read transports read this many).
    pub fn wanted(&self) -> usize {
        self.reader.wanted()
    }

    /// Transport bytes buffered but not yet processed.
    pub fn buffered_tls(&self) -> usize {
        self.reader.buffered()
    }

    /// Sealed records waiting for the transport.
    pub fn pending_tls(&self) -> &[u8] {
        self.writer.pending()
    }

    /// Marks `n` bytes of [`Connection::pending_tls`] as sent.
    pub fn consume_tls(&mut self, n: usize) {
        self.writer.consume(n);
    }

    /// True while sealed records wait for the transport.
    pub fn wants_write(&self) -> bool {
        self.writer.pending_len() > 0
    }

    /// Frees idle record buffers (OpenSSL's SSL_MODE_RELEASE_BUFFERS).
    pub fn release_buffers(&mut self) {
        self.reader.release();
        self.writer.release();
    }

    /// Bytes of buffer memory currently held by the record layer.
    pub fn buffer_memory(&self) -> usize {
        self.reader.capacity() + self.writer.capacity()
    }

    // ----- record processing -----

    /// Processes one buffered record (or reports why not).
    pub fn process_one(&mut self) -> Result<Event, TlsError> {
        self.check_failed()?;
        if matches!(self.phase, Phase::NotStarted) {
            self.start()?;
        }
        if self.reader.app_pending() > 0 {
            return Ok(Event::ApplicationData);
        }
        if self.holds_client_hello() {
            return Ok(Event::ClientHello);
        }
        if self.received_close_notify {
            return Ok(Event::CloseNotify);
        }
        match self.process_record() {
            Ok(ev) => Ok(ev),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Processes records until data is held, more input is needed, or close_notify arrived.
    pub fn process_all(&mut self) -> Result<Event, TlsError> {
        loop {
            match self.process_one()? {
                Event::Handshake | Event::Ignored => continue,
                other => return Ok(other),
            }
        }
    }

    fn process_record(&mut self) -> Result<Event, TlsError> {
        let Some(rec) = self.reader.next_record()? else {
            return Ok(Event::NeedData);
        };
        if rec.is_empty() && rec.typ != ContentType::APPLICATION_DATA {
            return Err(TlsError::unexpected(format!("empty {:?} record", rec.typ))
                .with_reason(Reason::RECORD_TOO_SMALL));
        }
        if rec.typ != ContentType::HANDSHAKE && !self.joiner.is_empty() {
            return Err(TlsError::unexpected(format!(
                "{:?} record inside a fragmented handshake message",
                rec.typ
            )));
        }
        match rec.typ {
            ContentType::HANDSHAKE => {
                self.empty_in_row = 0;
                self.joiner.push(self.reader.plaintext(&rec))?;
                self.reader.consume(&rec);
                self.handle_handshake_messages()?;
                Ok(Event::Handshake)
            }
            ContentType::APPLICATION_DATA => {
                if self.in_early_data() {
                    return self.early_data_record(rec);
                }
                match &mut self.phase {
                    Phase::Connected(traffic) => traffic.application_data(rec.is_empty())?,
                    // OpenSSL's window: data sent before the renegotiation reached the peer.
                    Phase::Renegotiating { state, .. } if state.accepts_app_data() => {}
                    _ => {
                        return Err(TlsError::unexpected(
                            "application data outside the window the handshake allows",
                        )
                        .with_reason(Reason::UNEXPECTED_RECORD))
                    }
                }
                if rec.is_empty() {
                    self.empty_in_row += 1;
                    if self.empty_in_row > MAX_EMPTY_RECORDS {
                        return Err(TlsError::unexpected("too many empty records")
                            .with_reason(Reason::RECORD_TOO_SMALL));
                    }
                    self.reader.consume(&rec);
                    return Ok(Event::Ignored);
                }
                self.empty_in_row = 0;
                self.warnings_in_row = 0;
                self.reader.hold_app(&rec);
                Ok(Event::ApplicationData)
            }
            ContentType::ALERT => {
                let body = self.reader.plaintext(&rec);
                let alert = match body {
                    &[level, desc] => (level, AlertDescription(desc)),
                    _ => {
                        return Err(TlsError::decode(
                            Reason::INVALID_ALERT,
                            "alert record not 2 bytes",
                        ))
                    }
                };
                self.reader.consume(&rec);
                self.observe_received(ContentType::ALERT, &[alert.0, alert.1 .0]);
                self.handle_alert(alert.0, alert.1)
            }
            ContentType::CHANGE_CIPHER_SPEC => {
                let ok_body = self.reader.plaintext(&rec) == [1];
                self.reader.consume(&rec);
                self.observe_received(ContentType::CHANGE_CIPHER_SPEC, &[1]);
                if rec.protected && !self.is_tls12() {
                    // RFC 8446 5: a CCS inside a protected record is a protocol violation
                    // (in TLS 1.2 a renegotiation's CCS is protected by the current keys).
                    return Err(TlsError::unexpected("encrypted change_cipher_spec")
                        .with_reason(Reason::UNEXPECTED_CCS_MESSAGE));
                }
                if !ok_body {
                    return Err(TlsError::unexpected("change_cipher_spec with a bad body")
                        .with_reason(Reason::BAD_CHANGE_CIPHER_SPEC));
                }
                if self.is_tls12() {
                    return self.handle_tls12_ccs();
                }
                let allowed = matches!(self.phase, Phase::Handshaking(_))
                    && (self.is_client || self.handshake_messages > 0);
                self.ccs_seen += 1;
                if !allowed || self.ccs_seen > MAX_CCS {
                    return Err(TlsError::unexpected(
                        "change_cipher_spec outside the TLS 1.3 handshake",
                    )
                    .with_reason(Reason::UNEXPECTED_CCS_MESSAGE));
                }
                Ok(Event::Ignored)
            }
            _ => Err(TlsError::unexpected("unknown record type")),
        }
    }

    fn handle_alert(&mut self, level: u8, desc: AlertDescription) -> Result<Event, TlsError> {
        if desc == AlertDescription::CLOSE_NOTIFY {
            self.received_close_notify = true;
            return Ok(Event::CloseNotify);
        }
        if level != 1 && level != 2 {
            return Err(TlsError::illegal(
                Reason::UNKNOWN_ALERT_TYPE,
                "alert level not 1 or 2",
            ));
        }
        if level == 1 && desc == AlertDescription::NO_RENEGOTIATION && self.is_tls12() {
            // The peer refused a renegotiation we asked for: fatal, as OpenSSL makes it
            // (the application presumably needed it).
            return Err(TlsError::fatal(
                AlertDescription::HANDSHAKE_FAILURE,
                Reason::NO_RENEGOTIATION,
                "peer refused to renegotiate",
            ));
        }
        // TLS 1.2 warnings are informational (also before the version is settled, as a
        // TLS 1.2 server's unrecognized_name warning comes before its ServerHello); in
        // TLS 1.3 every alert but the closure alerts is fatal whatever its level says.
        let tls13 = self.info.version == Some(ProtocolVersion::TLSV1_3);
        let ignorable = level == 1 && (!tls13 || desc == AlertDescription::USER_CANCELED);
        if ignorable {
            self.warnings_in_row += 1;
            if self.warnings_in_row > MAX_WARNING_ALERTS {
                return Err(TlsError::unexpected("too many warning alerts")
                    .with_reason(Reason::TOO_MANY_WARN_ALERTS));
            }
            return Ok(Event::Ignored);
        }
        let e = TlsError::peer_alert(desc);
        self.phase = Phase::Failed;
        self.pending_peer.clear();
        self.error = Some(e.clone());
        Err(e)
    }

    /// Server: a record of the client's accepted early data, held for the application
    /// within the configured limit.
    fn early_data_record(
        &mut self,
        rec: crate::record::reader::OpenedRecord,
    ) -> Result<Event, TlsError> {
        let total = self.early_bytes.saturating_add(rec.len() as u32);
        if total > self.config.resumption.max_early_data {
            return Err(
                TlsError::unexpected("more early data than the server allows")
                    .with_reason(Reason::TOO_MUCH_EARLY_DATA),
            );
        }
        self.early_bytes = total;
        self.reader.hold_app(&rec);
        Ok(if rec.is_empty() {
            Event::Ignored
        } else {
            Event::ApplicationData
        })
    }

    /// A TLS 1.2 change_cipher_spec goes to the handshake state expecting it, on a record
    /// boundary of the handshake stream.
    fn handle_tls12_ccs(&mut self) -> Result<Event, TlsError> {
        let mut new_read = None;
        let phase = std::mem::replace(&mut self.phase, Phase::Failed);
        let mut cx = self.context(&mut new_read);
        let (state, renegotiating) = match phase {
            Phase::Handshaking(state) => (state, None),
            Phase::Renegotiating { traffic, state } => (state, Some(traffic)),
            _ => {
                return Err(
                    TlsError::unexpected("change_cipher_spec outside a handshake")
                        .with_reason(Reason::UNEXPECTED_CCS_MESSAGE),
                )
            }
        };
        let next = state.handle_ccs(&mut cx)?;
        self.apply_next(next, renegotiating)?;
        self.trim_new_sessions();
        self.observe_state();
        if let Some(prot) = new_read {
            self.install_read(prot);
        }
        Ok(Event::Ignored)
    }

    /// Moves to the phase a handshake state's outcome names.
    fn apply_next(
        &mut self,
        next: Next,
        renegotiating: Option<Box<Traffic12>>,
    ) -> Result<(), TlsError> {
        self.phase = match (next, renegotiating) {
            (Next::Handshaking(state), None) => Phase::Handshaking(state),
            (Next::Handshaking(state), Some(traffic)) => Phase::Renegotiating { traffic, state },
            (Next::Connected(traffic), previous) => {
                let traffic = match (traffic, previous) {
                    (Traffic::Tls12(mut t), Some(prev)) => {
                        t.inherit_counters(&prev);
                        Traffic::Tls12(t)
                    }
                    (t, _) => t,
                };
                self.reader.allow_plaintext_alerts = false;
                Phase::Connected(traffic)
            }
        };
        Ok(())
    }

    /// Tells the observer (if any) of a received message.
    fn observe_received(&self, typ: ContentType, data: &[u8]) {
        if let Some(o) = &self.config.observer {
            let v = self.info.version.unwrap_or(ProtocolVersion::TLSV1_2);
            o.message(false, v, typ, data);
        }
    }

    /// Tells the observer of the state the handshake is in now, once per change.
    fn observe_state(&mut self) {
        self.writer.version = self.info.version.unwrap_or(ProtocolVersion::TLSV1_2);
        if let Some(o) = &self.config.observer {
            let name = self.state_name();
            if self.last_state != name {
                self.last_state = name;
                o.state(self.is_client, name);
            }
        }
    }

    fn install_read(&mut self, prot: crate::record::protect::Protection) {
        self.reader.prot = prot;
        // The server protects everything from its ServerHello on (TLS 1.3) or its CCS
        // (TLS 1.2), so a plaintext alert after that is forged (the server side stops
        // accepting them at the client's first protected record, in the reader).
        if self.is_client {
            self.reader.allow_plaintext_alerts = false;
        }
    }

    /// The key log lines made since the last call ([`Config::keylog_lines`]).
    pub fn take_keylog_lines(&mut self) -> Vec<String> {
        std::mem::take(&mut self.keylog_lines)
    }

    /// True while a ClientHello waits for the application's decision.
    fn holds_client_hello(&self) -> bool {
        matches!(&self.phase, Phase::Handshaking(s) if s.client_hello_info().is_some())
    }

    /// Server: what the application is shown of a ClientHello that waits for its decision
    /// ([`Event::ClientHello`]), if one does.
    pub fn client_hello(&self) -> Option<ClientHelloInfo> {
        match &self.phase {
            Phase::Handshaking(s) => s.client_hello_info(),
            _ => None,
        }
    }

    /// Server: answers the waiting ClientHello as `decision` says (with the configuration
    /// as it is now: [`Connection::set_config`] first to switch certificates), then
    /// processes whatever handshake data followed it.
    pub fn resume_client_hello(&mut self, decision: HelloDecision) -> Result<(), TlsError> {
        self.check_failed()?;
        if !self.holds_client_hello() {
            return Err(TlsError::internal("no ClientHello is waiting"));
        }
        self.hello = Some(decision);
        let Phase::Handshaking(state) = std::mem::replace(&mut self.phase, Phase::Failed) else {
            return Err(TlsError::internal("no ClientHello is waiting"));
        };
        let mut new_read = None;
        let mut cx = self.context(&mut new_read);
        let step = state
            .resume(&mut cx)
            .and_then(|next| self.apply_next(next, None))
            .and_then(|()| self.after_message(new_read))
            .and_then(|()| self.handle_handshake_messages());
        step.map_err(|e| self.fail(e))
    }

    /// What follows each handled handshake message: sessions, observer, early-data
    /// skipping, and a new read key (on a record boundary only).
    fn after_message(
        &mut self,
        new_read: Option<crate::record::protect::Protection>,
    ) -> Result<(), TlsError> {
        self.trim_new_sessions();
        self.observe_state();
        if let Some(skip) = self.early_skip.take() {
            self.reader.skip_early = skip;
        }
        if let Some(prot) = new_read {
            // RFC 8446 5.1: a key change must fall on a record boundary.
            if !self.joiner.is_empty() {
                return Err(TlsError::unexpected("handshake data spans a key change")
                    .with_reason(Reason::NOT_ON_RECORD_BOUNDARY));
            }
            self.install_read(prot);
        }
        Ok(())
    }

    fn handle_handshake_messages(&mut self) -> Result<(), TlsError> {
        while !self.holds_client_hello() {
            let Some((typ, raw)) = self.joiner.pop()? else {
                break;
            };
            let body = &raw[4..];
            let decoded = if self.is_tls12() {
                HandshakeMessage::decode_tls12(typ, body)
            } else {
                HandshakeMessage::decode(typ, body)
            };
            let msg = decoded.map_err(|e| {
                TlsError::decode(Reason::LENGTH_MISMATCH, format!("{typ:?}: {}", e.0))
            })?;
            if typ == HandshakeType::MESSAGE_HASH {
                return Err(TlsError::unexpected("message_hash on the wire"));
            }
            self.handshake_messages += 1;
            self.observe_received(ContentType::HANDSHAKE, &raw);
            // RFC 5246 7.4.1.1: a client ignores a HelloRequest while it negotiates.
            let negotiating = matches!(
                self.phase,
                Phase::Handshaking(_) | Phase::Renegotiating { .. }
            );
            if msg == HandshakeMessage::HelloRequest
                && self.is_client
                && negotiating
                && self.is_tls12()
            {
                continue;
            }
            let mut new_read = None;
            let start_now = self.auto_renegotiate;
            let phase = std::mem::replace(&mut self.phase, Phase::Failed);
            let mut cx = self.context(&mut new_read);
            match phase {
                Phase::Handshaking(state) => {
                    let next = state.handle(&mut cx, msg, &raw)?;
                    self.apply_next(next, None)?;
                }
                Phase::Renegotiating { traffic, state } => {
                    let next = state.handle(&mut cx, msg, &raw)?;
                    self.apply_next(next, Some(traffic))?;
                }
                Phase::Connected(Traffic::Tls13(mut traffic)) => {
                    traffic.handle(&mut cx, msg, &raw)?;
                    self.phase = Phase::Connected(Traffic::Tls13(traffic));
                }
                Phase::Connected(Traffic::Tls12(mut traffic)) => {
                    self.phase = match traffic.handle(&mut cx, msg, &raw, start_now)? {
                        PostHandshake::Done => Phase::Connected(Traffic::Tls12(traffic)),
                        PostHandshake::Renegotiate(state) => {
                            Phase::Renegotiating { traffic, state }
                        }
                    };
                }
                Phase::NotStarted | Phase::Failed => {
                    return Err(TlsError::unexpected(
                        "handshake message on an idle connection",
                    ));
                }
            }
            self.after_message(new_read)?;
        }
        Ok(())
    }

    /// Whether an accepted HelloRequest starts the client's renegotiation at once (the
    /// default). A driver that schedules it (the `ssl` layer, which never starts one while
    /// a write is pending) turns this off and calls
    /// [`Connection::start_owed_renegotiation`] when [`Connection::renegotiation_owed`].
    pub fn set_auto_renegotiate(&mut self, on: bool) {
        self.auto_renegotiate = on;
    }

    /// True if the peer's HelloRequest was accepted and the renegotiation not started.
    pub fn renegotiation_owed(&self) -> bool {
        matches!(&self.phase, Phase::Connected(Traffic::Tls12(t)) if t.owed)
    }

    /// Starts the renegotiation a HelloRequest asked for (sends the ClientHello).
    pub fn start_owed_renegotiation(&mut self) -> Result<(), TlsError> {
        self.check_failed()?;
        if !self.renegotiation_owed() {
            return Ok(());
        }
        let mut new_read = None;
        let phase = std::mem::replace(&mut self.phase, Phase::Failed);
        let Phase::Connected(Traffic::Tls12(mut traffic)) = phase else {
            return Err(TlsError::internal("phase changed"));
        };
        traffic.owed = false;
        let mut cx = self.context(&mut new_read);
        // OpenSSL answers a HelloRequest with an abbreviated renegotiation.
        match traffic.start_client_renegotiation(&mut cx, true) {
            Ok(state) => {
                self.phase = Phase::Renegotiating { traffic, state };
                self.observe_state();
                Ok(())
            }
            Err(e) => {
                self.phase = Phase::Connected(Traffic::Tls12(traffic));
                Err(self.fail(e))
            }
        }
    }

    /// Starts a TLS 1.2 renegotiation (`SSL_renegotiate`, or `SSL_renegotiate_abbreviated`
    /// when `abbreviated`: the session may be resumed): a client sends a ClientHello
    /// and is handshaking until it completes; a server sends a HelloRequest and carries on
    /// ([`Connection::renegotiate_pending`] until the client answers). TLS 1.3 refuses with
    /// WRONG_SSL_VERSION, the policy with NO_RENEGOTIATION; neither is fatal.
    pub fn renegotiate(&mut self, abbreviated: bool) -> Result<(), TlsError> {
        self.check_failed()?;
        if !matches!(self.phase, Phase::Connected(Traffic::Tls12(_))) {
            let reason = if matches!(self.phase, Phase::Connected(Traffic::Tls13(_))) {
                Reason::WRONG_SSL_VERSION
            } else {
                Reason::STILL_IN_INIT
            };
            return Err(TlsError::local(
                reason,
                "no TLS 1.2 connection to renegotiate",
            ));
        }
        let mut new_read = None;
        let phase = std::mem::replace(&mut self.phase, Phase::Failed);
        let Phase::Connected(Traffic::Tls12(mut traffic)) = phase else {
            return Err(TlsError::internal("phase changed"));
        };
        let mut cx = self.context(&mut new_read);
        let started = traffic.renegotiate(&mut cx, abbreviated);
        self.phase = match started {
            Ok(Some(state)) => Phase::Renegotiating { traffic, state },
            Ok(None) => Phase::Connected(Traffic::Tls12(traffic)),
            Err(e) => {
                self.phase = Phase::Connected(Traffic::Tls12(traffic));
                return match e.alert {
                    None => Err(e),
                    Some(_) => Err(self.fail(e)),
                };
            }
        };
        self.observe_state();
        Ok(())
    }

    // ----- application side -----

    /// Seals one application-data record holding the first `min(data.len(), max_fragment)`
    /// bytes of `data`, and returns that count. A KeyUpdate the peer asked for, or that our
    /// key's usage limit requires, goes out first. Empty `data` sends nothing.
    pub fn write_app_record(
        &mut self,
        data: &[u8],
        max_fragment: usize,
    ) -> Result<usize, TlsError> {
        self.check_failed()?;
        if self.sent_close_notify {
            return Err(TlsError::local(
                Reason::PROTOCOL_IS_SHUTDOWN,
                "close_notify already sent",
            ));
        }
        let Phase::Connected(traffic) = &mut self.phase else {
            return Err(TlsError::local(
                Reason::STILL_IN_INIT,
                "handshake not complete",
            ));
        };
        if data.is_empty() {
            return Ok(0);
        }
        if let Traffic::Tls13(traffic) = traffic {
            if (self.auto_key_update && traffic.update_requested) || self.writer.prot.wants_update()
            {
                if let Err(e) = traffic.send_key_update(&mut self.writer, false) {
                    return Err(self.fail(e));
                }
            }
        }
        let n = data.len().min(max_fragment.clamp(1, MAX_PLAINTEXT));
        if let Err(e) = self.writer.seal(ContentType::APPLICATION_DATA, &data[..n]) {
            return Err(self.fail(e));
        }
        Ok(n)
    }

    /// Copies held application data into `out` (`SSL_read` after processing).
    pub fn read_app(&mut self, out: &mut [u8]) -> usize {
        self.reader.read_app(out)
    }

    /// Copies held application data without consuming it (`SSL_peek`).
    pub fn peek_app(&self, out: &mut [u8]) -> usize {
        self.reader.peek_app(out)
    }

    /// Application bytes held from the current record (`SSL_pending`).
    pub fn app_pending(&self) -> usize {
        self.reader.app_pending()
    }

    /// Whether [`Connection::write_app_record`] answers a peer's KeyUpdate request by itself
    /// (the default). A driver that schedules it (the `ssl` layer) turns this off and calls
    /// [`Connection::send_key_update`] when [`Connection::key_update_owed`].
    pub fn set_auto_key_update(&mut self, on: bool) {
        self.auto_key_update = on;
    }

    /// Fails the connection from outside the engine (for example on a transport EOF),
    /// queueing the error's alert like any engine failure. Returns the error.
    pub fn abort(&mut self, e: TlsError) -> TlsError {
        if self.error.is_some() {
            return e;
        }
        self.fail(e)
    }

    /// True if a KeyUpdate is owed to the peer (it asked with update_requested).
    pub fn key_update_owed(&self) -> bool {
        matches!(&self.phase, Phase::Connected(Traffic::Tls13(t)) if t.update_requested)
    }

    /// Sends a KeyUpdate now (`SSL_key_update`), asking the peer to update too if
    /// `request_peer`.
    pub fn send_key_update(&mut self, request_peer: bool) -> Result<(), TlsError> {
        self.check_failed()?;
        let traffic = match &mut self.phase {
            Phase::Connected(Traffic::Tls13(t)) => t,
            Phase::Connected(Traffic::Tls12(_)) => {
                return Err(TlsError::local(
                    Reason::WRONG_SSL_VERSION,
                    "KeyUpdate needs TLS 1.3",
                ))
            }
            _ => {
                return Err(TlsError::local(
                    Reason::STILL_IN_INIT,
                    "handshake not complete",
                ))
            }
        };
        match traffic.send_key_update(&mut self.writer, request_peer) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Test hook: sets the write-side record sequence number, so tests can reach its
    /// exhaustion.
    #[doc(hidden)]
    pub fn test_set_write_sequence(&mut self, seq: u64) {
        self.writer.prot.set_sequence(seq);
    }

    /// Queues our close_notify alert. Idempotent.
    pub fn send_close_notify(&mut self) -> Result<(), TlsError> {
        if self.sent_close_notify {
            return Ok(());
        }
        self.sent_close_notify = true;
        self.writer.send(ContentType::ALERT, &[1, 0], MAX_PLAINTEXT)
    }

    /// Server, TLS 1.3: asks the client for its certificate now
    /// (`SSL_verify_client_post_handshake`); the CertificateRequest is queued for the
    /// transport and the answer is verified as it arrives. Refused as OpenSSL refuses, in
    /// its order: unless TLS 1.3 was negotiated (WRONG_SSL_VERSION, also before the version
    /// is known), on a client (NOT_SERVER), during the handshake (STILL_IN_INIT), when the
    /// client did not offer post-handshake authentication (EXTENSION_NOT_RECEIVED) or while
    /// an earlier request waits.
    pub fn verify_client_post_handshake(&mut self) -> Result<(), TlsError> {
        self.check_failed()?;
        if self.info.version != Some(ProtocolVersion::TLSV1_3) {
            return Err(TlsError::local(
                Reason::WRONG_SSL_VERSION,
                "post-handshake auth is TLS 1.3 only",
            ));
        }
        if self.is_client {
            return Err(TlsError::local(Reason::NOT_SERVER, "only a server asks"));
        }
        match &mut self.phase {
            Phase::Connected(Traffic::Tls13(t)) => {
                t.request_client_certificate(&mut self.writer, &self.config)
            }
            _ => Err(TlsError::local(
                Reason::STILL_IN_INIT,
                "the handshake has not completed",
            )),
        }
    }

    /// `SSL_export_keying_material`: `out.len()` bytes of keying material bound to this
    /// connection's keys, `label` and `context` (RFC 8446 7.5 / RFC 5705). Fails before
    /// the handshake completes.
    pub fn export_keying_material(
        &self,
        out: &mut [u8],
        label: &[u8],
        context: Option<&[u8]>,
    ) -> Result<(), TlsError> {
        match &self.phase {
            Phase::Connected(Traffic::Tls13(t)) => {
                t.export(label, context.unwrap_or_default(), out)
            }
            Phase::Connected(Traffic::Tls12(t)) | Phase::Renegotiating { traffic: t, .. } => {
                t.master().export(label, context, out)
            }
            _ => Err(TlsError::local(
                Reason::UNINITIALIZED,
                "no keys to export before the handshake completes",
            )),
        }
    }

    /// The exporter master secret, once connected (for `SSL_export_keying_material`).
    pub fn exporter_secret(&self) -> Option<&crate::crypto::hash::Output> {
        match &self.phase {
            Phase::Connected(Traffic::Tls13(t)) => Some(t.exporter_secret()),
            _ => None,
        }
    }
}
