//! Length-checked reading and writing of TLS wire structures.
//!
//! [`Reader`] never panics: every read checks the remaining length and fails with
//! [`DecodeError`], which the handshake maps to a `decode_error` alert.

/// Input ended early, or a length prefix or value was out of range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decode error: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// A cursor over borrowed wire bytes.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }

    /// True when everything has been read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Fails unless everything has been read (trailing bytes are a decode error in TLS).
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError("trailing bytes"))
        }
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.buf.len() {
            return Err(DecodeError("truncated"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Takes exactly `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian u16.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian 24-bit integer.
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let b: [u8; 3] = self.array()?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// Reads a big-endian u32.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a vector with a one-byte length prefix.
    pub fn vec_u8(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u8()? as usize;
        self.take(n)
    }

    /// Reads a vector with a two-byte length prefix.
    pub fn vec_u16(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// Reads a vector with a three-byte length prefix.
    pub fn vec_u24(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u24()? as usize;
        self.take(n)
    }

    /// Reads a two-byte-prefixed list of u16 values (an odd length is an error).
    pub fn list_u16(&mut self) -> Result<Vec<u16>, DecodeError> {
        u16_list(self.vec_u16()?)
    }
}

/// Splits `bytes` into big-endian u16 values; an odd length is an error.
pub fn u16_list(bytes: &[u8]) -> Result<Vec<u16>, DecodeError> {
    if bytes.len() % 2 != 0 {
        return Err(DecodeError("odd length for a u16 list"));
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// A structure we were asked to encode does not fit its length prefix (for example an ALPN
/// name over 255 bytes set through `Config` directly). Encoding fails rather than
/// truncating the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeError(pub &'static str);

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "encode error: {}", self.0)
    }
}

impl std::error::Error for EncodeError {}

/// Appends TLS wire structures to a byte vector. A length that does not fit its prefix is
/// remembered and reported by [`Writer::finish`]; the bytes are then meaningless.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
    overflow: bool,
}

/// The width of a length prefix.
#[derive(Clone, Copy, Debug)]
pub enum Prefix {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Three bytes.
    U24,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// The encoded bytes, or the error if some length did not fit its prefix.
    pub fn finish(self) -> Result<Vec<u8>, EncodeError> {
        if self.overflow {
            return Err(EncodeError("length does not fit its prefix"));
        }
        Ok(self.buf)
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Appends a big-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    /// Appends a big-endian 24-bit integer (the top byte of `v` is ignored).
    pub fn u24(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes()[1..]);
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Appends `b` with a length prefix.
    pub fn vec(&mut self, prefix: Prefix, b: &[u8]) {
        self.nested(prefix, |w| w.bytes(b));
    }

    /// Appends a length-prefixed structure written by `f`, filling in the length afterwards.
    pub fn nested(&mut self, prefix: Prefix, f: impl FnOnce(&mut Writer)) {
        let width = match prefix {
            Prefix::U8 => 1,
            Prefix::U16 => 2,
            Prefix::U24 => 3,
        };
        let at = self.buf.len();
        self.buf.resize(at + width, 0);
        f(self);
        let len = self.buf.len() - at - width;
        if len >= 1usize << (8 * width) {
            self.overflow = true;
        }
        let be = (len as u32).to_be_bytes();
        self.buf[at..at + width].copy_from_slice(&be[4 - width..]);
    }

    /// Appends a two-byte-prefixed list of u16 values.
    pub fn list_u16(&mut self, items: &[u16]) {
        self.nested(Prefix::U16, |w| items.iter().for_each(|&v| w.u16(v)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let mut w = Writer::new();
        w.u8(1);
        w.u16(0x0203);
        w.u24(0x040506);
        w.nested(Prefix::U16, |w| w.list_u16(&[7, 8]));
        let buf = w.finish().unwrap();
        let mut r = Reader::new(&buf);
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u16().unwrap(), 0x0203);
        assert_eq!(r.u24().unwrap(), 0x040506);
        let mut inner = Reader::new(r.vec_u16().unwrap());
        assert_eq!(inner.list_u16().unwrap(), vec![7, 8]);
        assert!(r.finish().is_ok());
        for cut in 0..buf.len() {
            let mut r = Reader::new(&buf[..cut]);
            let ok = (|| -> Result<(), DecodeError> {
                r.u8()?;
                r.u16()?;
                r.u24()?;
                Reader::new(r.vec_u16()?).list_u16()?;
                Ok(())
            })();
            assert!(ok.is_err());
        }
        assert!(u16_list(&[1, 2, 3]).is_err());
    }

    #[test]
    fn overlong_lengths_fail_instead_of_truncating() {
        let mut w = Writer::new();
        w.vec(Prefix::U8, &[0u8; 256]);
        assert!(w.finish().is_err());
        let mut w = Writer::new();
        w.vec(Prefix::U8, &[0u8; 255]);
        w.vec(Prefix::U16, &[0u8; 65535]);
        assert_eq!(w.finish().unwrap().len(), 1 + 255 + 2 + 65535);
    }
}
