//! [`SslCipher`]: the negotiated cipher suite as the `openssl` crate's `SslCipherRef`.

use crate::suites::CipherSuite;

/// A suite's key sizes, as the `openssl` crate returns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CipherBits {
    /// Bits of secret key material.
    pub secret: i32,
    /// Bits of the algorithm's key.
    pub algorithm: i32,
}

/// A cipher suite (`SSL_CIPHER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SslCipher(CipherSuite);

/// The `openssl` crate's borrowed cipher type: here the same as [`SslCipher`].
pub type SslCipherRef = SslCipher;

/// One static description per suite, so `Ssl::current_cipher` can lend one.
static CIPHERS: [SslCipher; CipherSuite::ALL.len()] = {
    let mut out = [SslCipher(CipherSuite::Tls13Aes128GcmSha256); CipherSuite::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = SslCipher(CipherSuite::ALL[i]);
        i += 1;
    }
    out
};

impl SslCipher {
    pub(crate) fn of(suite: CipherSuite) -> Option<&'static SslCipher> {
        CIPHERS.iter().find(|c| c.0 == suite)
    }

    /// OpenSSL's name, e.g. "TLS_AES_256_GCM_SHA384" or "ECDHE-RSA-AES128-GCM-SHA256"
    /// (`SSL_CIPHER_get_name`).
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
    /// (`SSL_CIPHER_standard_name`).
    pub fn standard_name(&self) -> Option<&'static str> {
        Some(self.0.std_name())
    }

    /// The protocol version that introduced it: "TLSv1.3" or "TLSv1.2"
    /// (`SSL_CIPHER_get_version`).
    pub fn version(&self) -> &'static str {
        self.0.version()
    }

    /// Key sizes in bits (`SSL_CIPHER_get_bits`): the secret and the algorithm's, equal
    /// for every suite here.
    pub fn bits(&self) -> CipherBits {
        let bits = self.0.bits() as i32;
        CipherBits {
            secret: bits,
            algorithm: bits,
        }
    }

    /// One line as `SSL_CIPHER_description` writes it.
    pub fn description(&self) -> String {
        self.0.description()
    }

    /// The suite's two-byte IANA number.
    pub fn protocol_id(&self) -> [u8; 2] {
        self.0.to_u16().to_be_bytes()
    }
}
