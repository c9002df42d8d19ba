//! Hashing, HMAC, HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 section 5).

use aws_lc_rs::{constant_time, digest, hmac};
use zeroize::Zeroize;

use super::CryptoError;

/// A hash function usable in the handshake transcript, HMAC, HKDF and the PRF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512 (used by some signature schemes).
    Sha512,
}

impl HashAlgorithm {
    /// Length in bytes of this hash's output.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    fn digest_alg(self) -> &'static digest::Algorithm {
        match self {
            HashAlgorithm::Sha256 => &digest::SHA256,
            HashAlgorithm::Sha384 => &digest::SHA384,
            HashAlgorithm::Sha512 => &digest::SHA512,
        }
    }

    fn hmac_alg(self) -> hmac::Algorithm {
        match self {
            HashAlgorithm::Sha256 => hmac::HMAC_SHA256,
            HashAlgorithm::Sha384 => hmac::HMAC_SHA384,
            HashAlgorithm::Sha512 => hmac::HMAC_SHA512,
        }
    }
}

/// Largest output any [`HashAlgorithm`] produces.
pub const MAX_OUTPUT_LEN: usize = 64;

/// Fixed-capacity digest/MAC output (up to 64 bytes), no allocation.
///
/// Equality is checked in constant time (for equal lengths). The bytes are zeroized on
/// drop: HMAC and HKDF outputs are secrets, and a digest costs 64 byte stores to clear. A
/// secret kept beyond one function belongs in a [`Secret`], which does not move.
#[derive(Clone)]
pub struct Output {
    buf: [u8; MAX_OUTPUT_LEN],
    len: usize,
}

impl Output {
    /// Builds an output from `bytes`; `None` if longer than [`MAX_OUTPUT_LEN`].
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut out = Output {
            buf: [0u8; MAX_OUTPUT_LEN],
            len: bytes.len(),
        };
        out.buf.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(out)
    }

    /// Number of meaningful bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the output holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The output bytes.
    pub fn as_bytes(&self) -> &[u8] {
        // `len` is only ever set from slices no longer than the buffer.
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.as_bytes(), other.as_bytes())
    }
}

impl Eq for Output {}

impl Drop for Output {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// A secret kept in a long-lived value (a key-schedule stage, a traffic or master secret),
/// in a heap block of its own and zeroized on drop.
///
/// Handshake states move from box to box; an inline secret would leave its bytes in every
/// box freed after a move, where only the pointer to this block is left behind. Its
/// `Debug` shows no bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<Output>);

impl Secret {
    /// A secret holding `bytes`; `None` if longer than [`MAX_OUTPUT_LEN`].
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        Output::from_slice(bytes).map(Self::from)
    }
}

impl From<Output> for Secret {
    fn from(output: Output) -> Self {
        Secret(Box::new(output))
    }
}

impl std::ops::Deref for Secret {
    type Target = Output;

    fn deref(&self) -> &Output {
        &self.0
    }
}

impl std::ops::DerefMut for Secret {
    fn deref_mut(&mut self) -> &mut Output {
        &mut self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.len())
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Output(")?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Incremental hash, cloneable so a transcript can be forked.
#[derive(Clone)]
pub struct Hash {
    alg: HashAlgorithm,
    ctx: digest::Context,
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hash").field("alg", &self.alg).finish()
    }
}

impl Hash {
    /// Starts a new hash computation.
    pub fn new(alg: HashAlgorithm) -> Self {
        Hash {
            alg,
            ctx: digest::Context::new(alg.digest_alg()),
        }
    }

    /// The algorithm being computed.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }

    /// The digest of everything absorbed so far; the hash can continue afterwards.
    pub fn current(&self) -> Output {
        self.clone().finish()
    }

    /// Finishes and returns the digest.
    pub fn finish(self) -> Output {
        to_output(self.ctx.finish().as_ref())
    }
}

fn to_output(bytes: &[u8]) -> Output {
    // Every digest/HMAC this module produces is at most 64 bytes; truncate defensively.
    let n = bytes.len().min(MAX_OUTPUT_LEN);
    let mut out = Output {
        buf: [0u8; MAX_OUTPUT_LEN],
        len: n,
    };
    out.buf[..n].copy_from_slice(&bytes[..n]);
    out
}

/// One-shot digest of `data`.
pub fn digest(alg: HashAlgorithm, data: &[u8]) -> Output {
    to_output(digest::digest(alg.digest_alg(), data).as_ref())
}

fn hmac_with_key(key: &hmac::Key, parts: &[&[u8]]) -> Output {
    let mut ctx = hmac::Context::with_key(key);
    for p in parts {
        ctx.update(p);
    }
    to_output(ctx.sign().as_ref())
}

/// SHA-1 of `data`, for certificate fingerprints only (never in the protocol).
pub fn sha1_fingerprint(data: &[u8]) -> [u8; 20] {
    let mut out = [0u8; 20];
    out.copy_from_slice(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data).as_ref());
    out
}

/// HMAC over the concatenation of `parts`.
pub fn hmac(alg: HashAlgorithm, key: &[u8], parts: &[&[u8]]) -> Output {
    hmac_with_key(&hmac::Key::new(alg.hmac_alg(), key), parts)
}

/// Checks in constant time that `tag` is the HMAC of the concatenation of `parts`.
///
/// Truncated tags are not accepted: `tag` must be exactly `alg.output_len()` bytes.
pub fn hmac_verify(alg: HashAlgorithm, key: &[u8], parts: &[&[u8]], tag: &[u8]) -> bool {
    ct_eq(hmac(alg, key, parts).as_bytes(), tag)
}

/// HKDF-Extract (RFC 5869); an empty `salt` means `HashLen` zero bytes.
pub fn hkdf_extract(alg: HashAlgorithm, salt: &[u8], ikm: &[u8]) -> Output {
    let zeros = [0u8; MAX_OUTPUT_LEN];
    let salt = if salt.is_empty() {
        &zeros[..alg.output_len()]
    } else {
        salt
    };
    hmac(alg, salt, &[ikm])
}

/// HKDF-Expand (RFC 5869) with `info` = concatenation of `info_parts`, filling `out`.
///
/// Fails if `out` is longer than `255 * HashLen`.
pub fn hkdf_expand(
    alg: HashAlgorithm,
    prk: &[u8],
    info_parts: &[&[u8]],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let hash_len = alg.output_len();
    if out.len() > 255 * hash_len {
        return Err(CryptoError("HKDF-Expand output too long"));
    }
    let key = hmac::Key::new(alg.hmac_alg(), prk);
    let mut prev: Option<Output> = None;
    for (i, chunk) in out.chunks_mut(hash_len).enumerate() {
        // At most 255 chunks, checked above, so the counter fits in a byte.
        let counter = [u8::try_from(i + 1).map_err(|_| CryptoError("HKDF-Expand counter"))?];
        let mut ctx = hmac::Context::with_key(&key);
        if let Some(p) = &prev {
            ctx.update(p.as_bytes());
        }
        for part in info_parts {
            ctx.update(part);
        }
        ctx.update(&counter);
        let t = to_output(ctx.sign().as_ref());
        chunk.copy_from_slice(&t.as_bytes()[..chunk.len()]);
        prev = Some(t);
    }
    Ok(())
}

/// The TLS 1.2 PRF (RFC 5246 section 5): `P_hash(secret, label || seed)` with
/// `seed` = concatenation of `seed_parts`, filling `out`.
pub fn tls12_prf(
    alg: HashAlgorithm,
    secret: &[u8],
    label: &[u8],
    seed_parts: &[&[u8]],
    out: &mut [u8],
) {
    let key = hmac::Key::new(alg.hmac_alg(), secret);
    // A(1) = HMAC(secret, label || seed)
    let mut a = {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(label);
        for s in seed_parts {
            ctx.update(s);
        }
        to_output(ctx.sign().as_ref())
    };
    for chunk in out.chunks_mut(alg.output_len()) {
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(a.as_bytes());
        ctx.update(label);
        for s in seed_parts {
            ctx.update(s);
        }
        let block = to_output(ctx.sign().as_ref());
        chunk.copy_from_slice(&block.as_bytes()[..chunk.len()]);
        a = hmac_with_key(&key, &[a.as_bytes()]);
    }
}

/// Constant-time comparison (the lengths themselves are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const ALL: [HashAlgorithm; 3] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    #[test]
    fn digest_known_answers() {
        assert_eq!(
            digest(HashAlgorithm::Sha256, b"abc").as_bytes(),
            unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            digest(HashAlgorithm::Sha384, b"abc").as_bytes(),
            unhex(
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                 8086072ba1e7cc2358baeca134c825a7"
            )
        );
        assert_eq!(
            digest(HashAlgorithm::Sha512, b"abc").as_bytes(),
            unhex(
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
            )
        );
        for alg in ALL {
            assert_eq!(digest(alg, b"").len(), alg.output_len());
        }
    }

    #[test]
    fn incremental_hash_current_and_fork() {
        for alg in ALL {
            let mut h = Hash::new(alg);
            assert_eq!(h.algorithm(), alg);
            assert_eq!(h.current(), digest(alg, b""));
            h.update(b"a");
            let fork = h.clone();
            assert_eq!(h.current(), digest(alg, b"a"));
            h.update(b"bc");
            assert_eq!(h.current(), digest(alg, b"abc"));
            assert_eq!(h.clone().finish(), digest(alg, b"abc"));
            assert_eq!(fork.finish(), digest(alg, b"a"));
        }
    }

    #[test]
    fn output_helpers() {
        let o = digest(HashAlgorithm::Sha256, b"abc");
        assert_eq!(o.len(), 32);
        assert!(!o.is_empty());
        assert_eq!(o.as_ref(), o.as_bytes());
        assert!(format!("{o:?}").starts_with("Output(ba7816bf"));
        assert_eq!(Output::from_slice(o.as_bytes()).unwrap(), o);
        assert!(Output::from_slice(&[0u8; 65]).is_none());
        assert!(Output::from_slice(&[]).unwrap().is_empty());
        assert_ne!(o, digest(HashAlgorithm::Sha256, b"abd"));
    }

    #[test]
    fn secret_holds_its_bytes_and_shows_none() {
        let s = Secret::from_slice(&[0xab; 48]).unwrap();
        assert_eq!(s.as_bytes(), &[0xab; 48]);
        assert_eq!(s.clone(), s);
        assert_eq!(format!("{s:?}"), "Secret(48 bytes)");
        assert!(Secret::from_slice(&[0; 65]).is_none());
        // Overwritten in place: the box stays, the value changes.
        let mut t = s.clone();
        let at = t.as_bytes().as_ptr();
        *t = digest(HashAlgorithm::Sha256, b"abc");
        assert_eq!(t.as_bytes().as_ptr(), at);
        assert_ne!(t, s);
    }

    #[test]
    fn hmac_rfc4231() {
        // RFC 4231 test case 1.
        let key = [0x0bu8; 20];
        assert_eq!(
            hmac(HashAlgorithm::Sha256, &key, &[b"Hi There"]).as_bytes(),
            unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        );
        // RFC 4231 test case 2, with the message split into parts.
        let parts: [&[u8]; 3] = [b"what do ya", b"", b" want for nothing?"];
        let want256 = unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let want384 = unhex(
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649",
        );
        let want512 = unhex(
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        );
        assert_eq!(
            hmac(HashAlgorithm::Sha256, b"Jefe", &parts).as_bytes(),
            want256
        );
        assert_eq!(
            hmac(HashAlgorithm::Sha384, b"Jefe", &parts).as_bytes(),
            want384
        );
        assert_eq!(
            hmac(HashAlgorithm::Sha512, b"Jefe", &parts).as_bytes(),
            want512
        );

        assert!(hmac_verify(
            HashAlgorithm::Sha256,
            b"Jefe",
            &parts,
            &want256
        ));
        let mut bad = want256.clone();
        bad[31] ^= 1;
        assert!(!hmac_verify(HashAlgorithm::Sha256, b"Jefe", &parts, &bad));
        assert!(!hmac_verify(
            HashAlgorithm::Sha256,
            b"Jefe",
            &parts,
            &want256[..16]
        ));
        assert!(!hmac_verify(HashAlgorithm::Sha256, b"Jefe", &parts, &[]));
        assert!(!hmac_verify(
            HashAlgorithm::Sha256,
            b"Jeff",
            &parts,
            &want256
        ));
    }

    #[test]
    fn hkdf_rfc5869_case1() {
        let ikm = [0x0bu8; 22];
        let salt = unhex("000102030405060708090a0b0c");
        let info = unhex("f0f1f2f3f4f5f6f7f8f9");
        let prk = hkdf_extract(HashAlgorithm::Sha256, &salt, &ikm);
        assert_eq!(
            prk.as_bytes(),
            unhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
        );
        let mut okm = [0u8; 42];
        hkdf_expand(
            HashAlgorithm::Sha256,
            prk.as_bytes(),
            &[&info[..4], &info[4..]],
            &mut okm,
        )
        .unwrap();
        assert_eq!(
            okm.to_vec(),
            unhex(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                 34007208d5b887185865"
            )
        );
    }

    #[test]
    fn hkdf_rfc5869_case3_empty_salt_and_info() {
        let ikm = [0x0bu8; 22];
        let prk = hkdf_extract(HashAlgorithm::Sha256, &[], &ikm);
        assert_eq!(
            prk.as_bytes(),
            unhex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        );
        // Empty salt is the same as HashLen zeros.
        assert_eq!(prk, hkdf_extract(HashAlgorithm::Sha256, &[0u8; 32], &ikm));
        let mut okm = [0u8; 42];
        hkdf_expand(HashAlgorithm::Sha256, prk.as_bytes(), &[], &mut okm).unwrap();
        assert_eq!(
            okm.to_vec(),
            unhex(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d\
                 9d201395faa4b61a96c8"
            )
        );
    }

    #[test]
    fn hkdf_expand_limits_and_prefix_property() {
        for alg in ALL {
            let prk = hkdf_extract(alg, b"salt", b"ikm");
            let max = 255 * alg.output_len();
            let mut big = vec![0u8; max];
            hkdf_expand(alg, prk.as_bytes(), &[b"info"], &mut big).unwrap();
            let mut too_big = vec![0u8; max + 1];
            assert!(hkdf_expand(alg, prk.as_bytes(), &[b"info"], &mut too_big).is_err());
            // Shorter outputs are prefixes of longer ones.
            let mut short = [0u8; 7];
            hkdf_expand(alg, prk.as_bytes(), &[b"in", b"fo"], &mut short).unwrap();
            assert_eq!(&short[..], &big[..7]);
            let mut empty = [0u8; 0];
            hkdf_expand(alg, prk.as_bytes(), &[], &mut empty).unwrap();
        }
    }

    #[test]
    fn tls12_prf_known_answers() {
        // Widely used P_SHA256 / P_SHA384 vectors; values cross-checked with
        // `openssl kdf ... TLS1-PRF`.
        let mut out = [0u8; 100];
        tls12_prf(
            HashAlgorithm::Sha256,
            &unhex("9bbe436ba940f017b17652849a71db35"),
            b"test label",
            &[&unhex("a0ba9f936cda311827a6f796ffd5198c")],
            &mut out,
        );
        assert_eq!(
            out.to_vec(),
            unhex(
                "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
                 6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
                 4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
                 87347b66"
            )
        );

        let mut out = [0u8; 148];
        let seed = unhex("cd665cf6a8447dd6ff8b27555edb7465");
        tls12_prf(
            HashAlgorithm::Sha384,
            &unhex("b80b733d6ceefcdc71566ea48e5567df"),
            b"test label",
            &[&seed[..3], &seed[3..]],
            &mut out,
        );
        assert_eq!(
            out.to_vec(),
            unhex(
                "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
                 e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
                 8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
                 9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
                 91c8f3a26854308d5eaa3be85e0990703d73e56f"
            )
        );
    }

    #[test]
    fn tls12_prf_matches_aws_lc() {
        use aws_lc_rs::tls_prf;
        for (alg, p) in [
            (HashAlgorithm::Sha256, &tls_prf::P_SHA256),
            (HashAlgorithm::Sha384, &tls_prf::P_SHA384),
            (HashAlgorithm::Sha512, &tls_prf::P_SHA512),
        ] {
            for len in [0usize, 1, 12, 31, 32, 33, 48, 64, 65, 104, 200] {
                let mut ours = vec![0u8; len];
                tls12_prf(
                    alg,
                    b"secret!",
                    b"master secret",
                    &[b"client", b"server"],
                    &mut ours,
                );
                if len == 0 {
                    continue;
                }
                let theirs = tls_prf::Secret::new(p, b"secret!")
                    .unwrap()
                    .derive(b"master secret", b"clientserver", len)
                    .unwrap();
                assert_eq!(ours.as_slice(), theirs.as_ref(), "{alg:?} len {len}");
            }
        }
    }

    #[test]
    fn ct_eq_behaviour() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
