//! OpenSSL's cipher list language (`SSL_CTX_set_cipher_list`, `openssl ciphers`), evaluated
//! over the six TLS 1.2 suites oxssl implements, so configuration strings written for
//! OpenSSL (`HIGH:!aNULL`, `ECDHE+AESGCM:@STRENGTH`, ...) select the same suites in the same
//! order. TLS 1.3 suites are configured separately (`SSL_CTX_set_ciphersuites`,
//! [`CipherSuite::parse_list`]) and never appear in the result.
//!
//! # Model
//! The list starts as every suite, inactive, in OpenSSL's base order
//! ([`CipherSuite::TLS12_DEFAULT`]). Each cipher string selects suites and applies one
//! operation; every operation keeps the relative order of the suites it moves:
//! - `STR` activates the selected inactive suites and moves them to the end (active ones
//!   stay where they are);
//! - `+STR` moves the selected active suites to the end;
//! - `-STR` deactivates the selected active suites and moves them to the front, so a later
//!   `STR` re-adds them in their earlier order;
//! - `!STR` removes the selected suites for good, active or not;
//! - `@STRENGTH` moves the active suites to the end sorted by key size, largest first
//!   (stable);
//! - `@SECLEVEL=n` (one digit, 0 to 5) leaves the list as it is and sets the context's
//!   security level, which [`parse_cipher_list_with_level`] reports. The level filters
//!   suites only when a handshake picks them: at 4 and 5 OpenSSL does not offer the
//!   AES-128-GCM suites (128-bit keys, below the level's 192 / 256 bits).
//!
//! The result is the active suites in list order. OpenSSL runs the same operations over
//! every cipher it has; since each one moves a selected subset as a block, running them over
//! the six suites gives the same relative order as filtering OpenSSL's result.
//!
//! # Syntax
//! Strings are separated by `:`, `,`, ` ` or `;`. A string is made of the characters
//! `A-Z a-z 0-9 - _ . =`; `A+B` selects the suites both `A` and `B` select. Names are
//! case-sensitive: aliases, OpenSSL suite names and IANA names. An unknown word makes its
//! whole string (up to the next separator) select nothing, as OpenSSL ignores it. A list
//! that starts with `DEFAULT` starts from OpenSSL's default list (all six suites); `DEFAULT`
//! anywhere else is an unknown word. A list that starts with `SUITEB128`, `SUITEB128ONLY`,
//! `SUITEB128C2` or `SUITEB192` is replaced by the Suite B suites (the rest is ignored);
//! OpenSSL also restricts curves and signature algorithms in that mode, which a suite list
//! cannot express. A prefix (`!`, `-`, `+`, `@`) or `+` joint not followed by a name, any
//! other character, or an unknown `@` command is [`CipherListError::InvalidCommand`].
//!
//! OpenSSL reads a `+` chain word by word and stops at the first word that contradicts the
//! previous ones; oxssl knows the algorithm classes of its own suites only, so in a chain of
//! aliases that select none of them (`kRSA+kPSK+`) it can reach, and reject, a malformed
//! word OpenSSL would have skipped.

use crate::crypto::aead::AeadAlgorithm;
use crate::reason::Reason;
use crate::suites::{CipherSuite, SuiteAuth};
use std::fmt;

/// Why a cipher list was refused; [`CipherListError::reason`] gives OpenSSL's reason code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CipherListError {
    /// A character that belongs to no cipher string, a prefix or `+` with no name after
    /// it, or an `@` command other than `@STRENGTH` and `@SECLEVEL=0..5`
    /// (`SSL_R_INVALID_COMMAND`).
    InvalidCommand {
        /// Byte offset in the list where the malformed string starts.
        at: usize,
    },
    /// The list selects none of oxssl's TLS 1.2 suites (`SSL_R_NO_CIPHER_MATCH`).
    NoCipherMatch,
}

impl CipherListError {
    /// The `SSL_R_*` reason OpenSSL reports for the same list, for the error queue.
    pub fn reason(&self) -> Reason {
        match self {
            Self::InvalidCommand { .. } => Reason::INVALID_COMMAND,
            Self::NoCipherMatch => Reason::NO_CIPHER_MATCH,
        }
    }
}

impl fmt::Display for CipherListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCommand { at } => write!(f, "invalid command in cipher list at {at}"),
            Self::NoCipherMatch => f.write_str("no cipher match"),
        }
    }
}

impl std::error::Error for CipherListError {}

/// Parses an OpenSSL cipher list (`SSL_CTX_set_cipher_list`) into the TLS 1.2 suites it
/// selects, in preference order. See the [module documentation](self) for the language.
pub fn parse_cipher_list(spec: &str) -> Result<Vec<CipherSuite>, CipherListError> {
    parse_cipher_list_with_level(spec).map(|list| list.suites)
}

/// What `SSL_CTX_set_cipher_list` sets on a context: the suites, and the security level
/// of an `@SECLEVEL=n` command, which OpenSSL applies too (`...:@SECLEVEL=0` is the common
/// way to accept small keys in tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherList {
    /// The TLS 1.2 suites, in preference order; never empty.
    pub suites: Vec<CipherSuite>,
    /// `Some(n)` if the list has `@SECLEVEL=n` (the last one if several).
    pub security_level: Option<u8>,
}

/// [`parse_cipher_list`], also returning the `@SECLEVEL` the list sets, for callers that
/// apply the whole string as OpenSSL does.
pub fn parse_cipher_list_with_level(spec: &str) -> Result<CipherList, CipherListError> {
    // A C string ends at its first NUL; the C ABI cannot pass anything after it.
    let bytes = spec.as_bytes();
    let bytes = &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())];

    let mut list = SuiteList::new();
    let mut rest: &[u8] = bytes;
    if let Some(replacement) = suite_b(rest) {
        rest = replacement.as_bytes();
    }
    let mut offset = 0;
    if let Some(after) = rest.strip_prefix(b"DEFAULT") {
        list.apply(Op::Add, Selector::EVERY);
        let after = after.strip_prefix(b":").unwrap_or(after);
        offset = rest.len() - after.len();
    }
    run(&mut list, rest, offset)?;
    let suites = list.active();
    if suites.is_empty() {
        return Err(CipherListError::NoCipherMatch);
    }
    Ok(CipherList {
        suites,
        security_level: list.security_level,
    })
}

/// The Suite B suites that replace a list starting with a Suite B keyword; the longer
/// keywords are checked first as they start with the shorter one.
fn suite_b(spec: &[u8]) -> Option<&'static str> {
    const E128: &str = "ECDHE-ECDSA-AES128-GCM-SHA256";
    const E256: &str = "ECDHE-ECDSA-AES256-GCM-SHA384";
    if spec.starts_with(b"SUITEB128ONLY") {
        Some(E128)
    } else if spec.starts_with(b"SUITEB128C2") || spec.starts_with(b"SUITEB192") {
        Some(E256)
    } else if spec.starts_with(b"SUITEB128") {
        Some("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384")
    } else {
        None
    }
}

/// What a string does to the suites it selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// No prefix: activate, appending at the end.
    Add,
    /// `+`: move active ones to the end.
    MoveToEnd,
    /// `-`: deactivate, keeping them first in line to be re-added.
    Delete,
    /// `!`: remove for good.
    Kill,
}

fn is_separator(b: u8) -> bool {
    matches!(b, b':' | b',' | b' ' | b';')
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=')
}

/// Runs the strings of `spec` from byte `pos` on `list`.
fn run(list: &mut SuiteList, spec: &[u8], mut pos: usize) -> Result<(), CipherListError> {
    let word_end = |from: usize| {
        spec[from..]
            .iter()
            .position(|&b| !is_word(b))
            .map_or(spec.len(), |n| from + n)
    };
    let skip_to_separator = |from: usize| {
        spec[from..]
            .iter()
            .position(|&b| is_separator(b))
            .map_or(spec.len(), |n| from + n)
    };
    while let Some(&first) = spec.get(pos) {
        if is_separator(first) {
            pos += 1;
            continue;
        }
        let start = pos;
        let invalid = CipherListError::InvalidCommand { at: start };
        let op = match first {
            b'-' => Op::Delete,
            b'+' => Op::MoveToEnd,
            b'!' => Op::Kill,
            b'@' => {
                let end = word_end(pos + 1);
                command(&spec[pos + 1..end], list).ok_or(invalid)?;
                // Anything after the command, up to the next separator, is ignored.
                pos = skip_to_separator(end);
                continue;
            }
            _ => Op::Add,
        };
        if op != Op::Add {
            pos += 1;
        }
        // One or more words joined by '+'.
        let mut selected: Option<Selector> = None;
        let mut found = true;
        loop {
            let end = word_end(pos);
            if end == pos {
                return Err(invalid);
            }
            let word = &spec[pos..end];
            pos = end;
            let joined = spec.get(pos) == Some(&b'+');
            if joined {
                pos += 1;
            }
            let next = lookup(word).and_then(|w| match selected {
                None => Some(w),
                Some(s) => s.and(w),
            });
            match next {
                Some(s) => selected = Some(s),
                None => {
                    found = false;
                    break;
                }
            }
            if !joined {
                break;
            }
        }
        match selected {
            Some(s) if found => list.apply(op, s),
            _ => pos = skip_to_separator(pos),
        }
    }
    Ok(())
}

/// Runs an `@` command (the word after `@`); `None` if it is not one OpenSSL knows.
fn command(word: &[u8], list: &mut SuiteList) -> Option<()> {
    if word == b"STRENGTH" {
        list.sort_by_strength();
        return Some(());
    }
    // OpenSSL takes exactly one digit.
    match word.strip_prefix(b"SECLEVEL=") {
        Some([level]) if (b'0'..=b'5').contains(level) => {
            list.security_level = Some(level - b'0');
            Some(())
        }
        _ => None,
    }
}

/// Strength classes, the one attribute OpenSSL intersects as flags rather than as one
/// value per suite: AES-GCM suites are both `HIGH` and `FIPS`, yet `HIGH+FIPS` selects
/// nothing because the two classes have no flag in common.
const HIGH: u8 = 1;
const FIPS: u8 = 2;

/// The suites one cipher string selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Selector {
    /// Bit i: `CipherSuite::TLS12_DEFAULT[i]` is selected (if its strength fits).
    suites: u8,
    /// Strength classes a suite must have one of; 0 for no condition.
    strength: u8,
}

impl Selector {
    /// Every suite (`ALL`, `ECDHE`, `TLSv1.2`, ...).
    const EVERY: Selector = Selector {
        suites: 0b11_1111,
        strength: 0,
    };
    /// A name OpenSSL knows that selects none of oxssl's suites (`RSA`, `SHA256`, ...).
    const NOTHING: Selector = Selector {
        suites: 0,
        strength: 0,
    };

    /// The suites for which `pick` holds.
    fn picking(pick: impl Fn(CipherSuite) -> bool) -> Selector {
        let suites = CipherSuite::TLS12_DEFAULT
            .iter()
            .enumerate()
            .filter(|(_, s)| pick(**s))
            .fold(0, |acc, (i, _)| acc | 1 << i);
        Selector {
            suites,
            strength: 0,
        }
    }

    fn with_strength(self, strength: u8) -> Selector {
        Selector { strength, ..self }
    }

    /// `self+other`; `None` when the two contradict each other (two different suites, two
    /// authentication types, ...), which OpenSSL treats like an unknown word.
    fn and(self, other: Selector) -> Option<Selector> {
        if self.suites != 0 && other.suites != 0 && self.suites & other.suites == 0 {
            return None;
        }
        let strength = match (self.strength, other.strength) {
            (0, s) | (s, 0) => s,
            (a, b) if a & b == 0 => return None,
            (a, b) => a & b,
        };
        Some(Selector {
            suites: self.suites & other.suites,
            strength,
        })
    }

    fn matches(self, index: usize, suite: CipherSuite) -> bool {
        self.suites & (1 << index) != 0
            && (self.strength == 0 || self.strength & strength(suite) != 0)
    }
}

fn strength(suite: CipherSuite) -> u8 {
    match suite.aead() {
        AeadAlgorithm::ChaCha20Poly1305 => HIGH,
        _ => HIGH | FIPS,
    }
}

/// What a word names: an alias, an OpenSSL suite name or an IANA name (case-sensitive);
/// `None` for a word OpenSSL 3.6 does not know.
fn lookup(word: &[u8]) -> Option<Selector> {
    let word = std::str::from_utf8(word).ok()?;
    if let Some(i) = CipherSuite::TLS12_DEFAULT
        .iter()
        .position(|s| s.name() == word || s.std_name() == word)
    {
        return Some(Selector {
            suites: 1 << i,
            strength: 0,
        });
    }
    let aead = |a: AeadAlgorithm| Selector::picking(move |s| s.aead() == a);
    Some(match word {
        // Every suite but the NULL-encryption ones; ECDHE key exchange (with or without
        // authentication); suites that need TLS 1.2: all of oxssl's.
        "ALL" | "kECDHE" | "kEECDH" | "ECDH" | "ECDHE" | "EECDH" | "TLSv1.2" => Selector::EVERY,
        "HIGH" => Selector::EVERY.with_strength(HIGH),
        // FIPS-approved algorithms: AES-GCM, not ChaCha20-Poly1305.
        "FIPS" => Selector::EVERY.with_strength(FIPS),
        "aECDSA" | "ECDSA" => Selector::picking(|s| s.auth() == SuiteAuth::Ecdsa),
        "aRSA" => Selector::picking(|s| s.auth() == SuiteAuth::Rsa),
        "AES" | "AESGCM" => Selector::picking(|s| {
            matches!(
                s.aead(),
                AeadAlgorithm::Aes128Gcm | AeadAlgorithm::Aes256Gcm
            )
        }),
        "AES128" => aead(AeadAlgorithm::Aes128Gcm),
        "AES256" => aead(AeadAlgorithm::Aes256Gcm),
        "CHACHA20" => aead(AeadAlgorithm::ChaCha20Poly1305),
        // Names OpenSSL 3.6 knows that select none of oxssl's suites: NULL encryption or
        // authentication, the suites left out of DEFAULT, weaker classes, RSA/DHE/PSK/SRP
        // key exchange (`RSA` is `kRSA`), DSS, other ciphers, HMAC-based MACs (the
        // `SHA256`/`SHA384` aliases name the MAC, which is AEAD here), and suites that
        // already exist in SSLv3 / TLS 1.0. OpenSSL drops the aliases of algorithms its
        // providers lack (DES, RC4, RC2, IDEA, SEED, CAMELLIA, GOST) and removed EXPORT /
        // EXP in 1.1.0: those are unknown words, which select nothing either.
        "COMPLEMENTOFALL"
        | "COMPLEMENTOFDEFAULT"
        | "eNULL"
        | "NULL"
        | "aNULL"
        | "MEDIUM"
        | "LOW"
        | "kRSA"
        | "RSA"
        | "kDHE"
        | "kEDH"
        | "DH"
        | "DHE"
        | "EDH"
        | "ADH"
        | "AECDH"
        | "PSK"
        | "kPSK"
        | "aPSK"
        | "kRSAPSK"
        | "kECDHEPSK"
        | "kDHEPSK"
        | "SRP"
        | "kSRP"
        | "aSRP"
        | "aDSS"
        | "DSS"
        | "3DES"
        | "AESCCM"
        | "AESCCM8"
        | "ARIA"
        | "ARIA128"
        | "ARIA256"
        | "ARIAGCM"
        | "CBC"
        | "MD5"
        | "SHA1"
        | "SHA"
        | "SHA256"
        | "SHA384"
        | "SSLv3"
        | "TLSv1"
        | "TLSv1.0" => Selector::NOTHING,
        _ => return None,
    })
}

/// The suites in their current order, each active or not (killed ones are gone), and the
/// last `@SECLEVEL` seen.
struct SuiteList {
    entries: Vec<Entry>,
    security_level: Option<u8>,
}

#[derive(Clone, Copy)]
struct Entry {
    /// Index in `CipherSuite::TLS12_DEFAULT`, the selectors' bit number.
    index: usize,
    suite: CipherSuite,
    active: bool,
}

impl SuiteList {
    fn new() -> Self {
        let entries = CipherSuite::TLS12_DEFAULT
            .iter()
            .enumerate()
            .map(|(index, &suite)| Entry {
                index,
                suite,
                active: false,
            })
            .collect();
        SuiteList {
            entries,
            security_level: None,
        }
    }

    fn apply(&mut self, op: Op, sel: Selector) {
        let hit = |e: &Entry| sel.matches(e.index, e.suite);
        match op {
            Op::Add => self.partition(|e| !e.active && hit(e), false, |e| e.active = true),
            Op::MoveToEnd => self.partition(|e| e.active && hit(e), false, |_| {}),
            Op::Delete => self.partition(|e| e.active && hit(e), true, |e| e.active = false),
            Op::Kill => self.entries.retain(|e| !hit(e)),
        }
    }

    /// Moves the entries `pick` selects, in their order, to the front or the end, and
    /// applies `change` to them.
    fn partition(
        &mut self,
        pick: impl Fn(&Entry) -> bool,
        to_front: bool,
        change: impl Fn(&mut Entry),
    ) {
        let (mut picked, rest): (Vec<Entry>, Vec<Entry>) =
            self.entries.iter().partition(|e| pick(e));
        picked.iter_mut().for_each(change);
        self.entries = if to_front {
            picked.into_iter().chain(rest).collect()
        } else {
            rest.into_iter().chain(picked).collect()
        };
    }

    /// `@STRENGTH`: inactive entries keep their place at the front; active ones follow,
    /// largest key first, in their previous order within one size.
    fn sort_by_strength(&mut self) {
        let (inactive, mut active): (Vec<Entry>, Vec<Entry>) =
            self.entries.iter().partition(|e| !e.active);
        active.sort_by_key(|e| std::cmp::Reverse(e.suite.bits()));
        self.entries = inactive.into_iter().chain(active).collect();
    }

    fn active(&self) -> Vec<CipherSuite> {
        self.entries
            .iter()
            .filter(|e| e.active)
            .map(|e| e.suite)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CipherSuite::*;

    const E256: CipherSuite = Tls12EcdheEcdsaAes256GcmSha384;
    const R256: CipherSuite = Tls12EcdheRsaAes256GcmSha384;
    const ECC: CipherSuite = Tls12EcdheEcdsaChacha20Poly1305;
    const RCC: CipherSuite = Tls12EcdheRsaChacha20Poly1305;
    const E128: CipherSuite = Tls12EcdheEcdsaAes128GcmSha256;
    const R128: CipherSuite = Tls12EcdheRsaAes128GcmSha256;

    fn ok(spec: &str) -> Vec<CipherSuite> {
        parse_cipher_list(spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"))
    }

    fn err(spec: &str) -> CipherListError {
        parse_cipher_list(spec).expect_err(spec)
    }

    #[test]
    fn default_and_all_are_openssl_order() {
        assert_eq!(ok("DEFAULT"), CipherSuite::TLS12_DEFAULT);
        assert_eq!(ok("ALL"), CipherSuite::TLS12_DEFAULT);
        assert_eq!(ok("HIGH"), [E256, R256, ECC, RCC, E128, R128]);
    }

    #[test]
    fn names_and_aliases() {
        assert_eq!(ok("ECDHE-RSA-AES128-GCM-SHA256"), [R128]);
        assert_eq!(ok("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"), [RCC]);
        assert_eq!(ok("aECDSA"), [E256, ECC, E128]);
        assert_eq!(ok("aRSA"), [R256, RCC, R128]);
        assert_eq!(ok("AESGCM"), [E256, R256, E128, R128]);
        assert_eq!(ok("FIPS"), [E256, R256, E128, R128]);
        assert_eq!(ok("CHACHA20:AES128"), [ECC, RCC, E128, R128]);
        // Case-sensitive, like OpenSSL.
        assert_eq!(
            err("ecdhe-rsa-aes128-gcm-sha256"),
            CipherListError::NoCipherMatch
        );
        for nothing in [
            "RSA",
            "SHA256",
            "SHA384",
            "MEDIUM",
            "TLSv1",
            "DHE",
            "AES128-SHA",
        ] {
            assert_eq!(err(nothing), CipherListError::NoCipherMatch, "{nothing}");
        }
        // TLS 1.3 names are not cipher strings.
        assert_eq!(
            err("TLS_AES_128_GCM_SHA256"),
            CipherListError::NoCipherMatch
        );
    }

    #[test]
    fn intersections() {
        assert_eq!(ok("AES128+ECDSA"), [E128]);
        assert_eq!(
            ok("kEECDH+ECDSA+AES128:kEECDH+AESGCM"),
            [E128, E256, R256, R128]
        );
        assert_eq!(ok("AES128+ECDHE-RSA-AES128-GCM-SHA256"), [R128]);
        assert_eq!(ok("FIPS+ECDSA"), [E256, E128]);
        assert_eq!(err("HIGH+FIPS"), CipherListError::NoCipherMatch);
        assert_eq!(err("aECDSA+aRSA"), CipherListError::NoCipherMatch);
        assert_eq!(err("UNKNOWN+AES"), CipherListError::NoCipherMatch);
        assert_eq!(err("AES+UNKNOWN"), CipherListError::NoCipherMatch);
    }

    #[test]
    fn delete_kill_and_move() {
        // '-' keeps deleted suites first in line, in their order, for a later add.
        assert_eq!(
            ok("CHACHA20:AES128:-ECDSA:ECDSA"),
            [RCC, R128, ECC, E128, E256]
        );
        assert_eq!(ok("CHACHA20:AES128:!ECDSA:ECDSA"), [RCC, R128]);
        assert_eq!(ok("ALL:-AES:AES256"), [ECC, RCC, E256, R256]);
        assert_eq!(ok("HIGH:-ALL:AES128:ECDSA"), [E128, R128, E256, ECC]);
        assert_eq!(ok("AES128:AES256:+ECDSA"), [R128, R256, E128, E256]);
        assert_eq!(
            ok("DEFAULT:+ECDSA:+AES128"),
            [R256, RCC, E256, ECC, R128, E128]
        );
        assert_eq!(err("AES256:!AES256:AES256"), CipherListError::NoCipherMatch);
        assert_eq!(ok("AES256:-AES256:AES256"), [E256, R256]);
        // '+' never adds.
        assert_eq!(ok("AES128:+AES256"), [E128, R128]);
    }

    #[test]
    fn strength_sort() {
        assert_eq!(
            ok("CHACHA20:AES128:AES256:@STRENGTH"),
            [ECC, RCC, E256, R256, E128, R128]
        );
        assert_eq!(
            ok("CHACHA20:AES128:AES256:-ECDSA:@STRENGTH:ECDSA"),
            [RCC, R256, R128, ECC, E128, E256]
        );
        // Inactive suites keep their place, so a later add uses the pre-sort order.
        assert_eq!(
            ok("AES128:-AES128:@STRENGTH:ALL"),
            [E128, R128, E256, R256, ECC, RCC]
        );
        assert_eq!(ok("AES128:@STRENGTH+AES256"), [E128, R128]);
        assert_eq!(err("@STRENGTH"), CipherListError::NoCipherMatch);
    }

    #[test]
    fn default_prefix_and_suite_b() {
        assert_eq!(ok("DEFAULT:-ECDSA"), [R256, RCC, R128]);
        assert_eq!(ok("DEFAULT-ECDSA"), [R256, RCC, R128]);
        assert_eq!(ok("DEFAULT+CHACHA20"), [E256, R256, E128, R128, ECC, RCC]);
        assert_eq!(ok("DEFAULTDEFAULT"), CipherSuite::TLS12_DEFAULT);
        // Not first: an unknown word.
        assert_eq!(ok("AES128:DEFAULT"), [E128, R128]);
        assert_eq!(err(" DEFAULT"), CipherListError::NoCipherMatch);
        assert_eq!(err("default"), CipherListError::NoCipherMatch);
        assert_eq!(ok("SUITEB128"), [E128, E256]);
        assert_eq!(ok("SUITEB128ONLY"), [E128]);
        assert_eq!(ok("SUITEB128C2:HIGH"), [E256]);
        assert_eq!(ok("SUITEB192"), [E256]);
        assert_eq!(ok("AES:SUITEB128"), [E256, R256, E128, R128]);
    }

    #[test]
    fn syntax() {
        assert_eq!(ok("AES128;AES256"), [E128, R128, E256, R256]);
        assert_eq!(ok("AES128 , AES256"), [E128, R128, E256, R256]);
        assert_eq!(ok("AES128!AES256"), [E128, R128]);
        assert_eq!(ok("ALL@STRENGTH"), [E256, R256, ECC, RCC, E128, R128]);
        assert_eq!(ok("UNKNOWN#:AES128"), [E128, R128]);
        assert_eq!(ok("AES128:@SECLEVEL=5"), [E128, R128]);
        let with_level = |spec| parse_cipher_list_with_level(spec).map(|l| l.security_level);
        assert_eq!(with_level("AES128:@SECLEVEL=5"), Ok(Some(5)));
        assert_eq!(with_level("@SECLEVEL=0:ALL:@SECLEVEL=2+junk"), Ok(Some(2)));
        assert_eq!(with_level("DEFAULT"), Ok(None));
        assert_eq!(
            with_level("@SECLEVEL=1"),
            Err(CipherListError::NoCipherMatch)
        );
        assert_eq!(ok("AES128\0:garbage#"), [E128, R128]);
        for bad in [
            "ALL:!",
            "ALL:-",
            "ALL:+",
            "ALL:@",
            "++AES",
            "!!AES",
            "-!AES",
            "AES128#",
            "#AES",
            "AES128|AES256",
            "AES128+",
            "RSA+#",
            "AES128:@strength",
            "AES128:@STRENGTHX",
            "AES128:@SECLEVEL=6",
            "AES128:@SECLEVEL=10",
            "AES128:@SECLEVEL=",
            "AES:@FOO",
            "AES128:é",
        ] {
            assert!(
                matches!(err(bad), CipherListError::InvalidCommand { .. }),
                "{bad:?}"
            );
        }
        assert_eq!(err("ALL:!").reason(), Reason::INVALID_COMMAND);
        assert_eq!(err("ALL:+"), CipherListError::InvalidCommand { at: 4 });
        assert_eq!(err(""), CipherListError::NoCipherMatch);
        assert_eq!(err("").reason(), Reason::NO_CIPHER_MATCH);
        assert_eq!(err("--AES"), CipherListError::NoCipherMatch);
        assert_eq!(err("FOO+#"), CipherListError::NoCipherMatch);
    }
}
