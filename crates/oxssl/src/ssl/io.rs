//! The transport seen by an `Ssl` operation: its read BIO and its write BIO, which may be
//! one object (a socket or stream) or two (`SSL_set_bio(ssl, rbio, wbio)`).

use crate::bio::Bio;

/// Read and write BIOs for one operation.
pub(crate) trait Io {
    /// The BIO records are read from.
    fn rbio(&mut self) -> Option<&mut dyn Bio>;
    /// The BIO records are written to.
    fn wbio(&mut self) -> Option<&mut dyn Bio>;
}

/// BIOs owned by an `Ssl`.
#[derive(Default)]
pub(crate) enum Bios {
    /// `SSL_set_bio` not called yet.
    #[default]
    None,
    /// One BIO for both directions.
    Single(Box<dyn Bio + Send + Sync>),
    /// Separate read and write BIOs.
    Split {
        r: Box<dyn Bio + Send + Sync>,
        w: Box<dyn Bio + Send + Sync>,
    },
}

impl Io for Bios {
    fn rbio(&mut self) -> Option<&mut dyn Bio> {
        match self {
            Bios::None => None,
            Bios::Single(b) => Some(b.as_mut()),
            Bios::Split { r, .. } => Some(r.as_mut()),
        }
    }

    fn wbio(&mut self) -> Option<&mut dyn Bio> {
        match self {
            Bios::None => None,
            Bios::Single(b) => Some(b.as_mut()),
            Bios::Split { w, .. } => Some(w.as_mut()),
        }
    }
}

impl<S: std::io::Read + std::io::Write> Io for crate::bio::StreamBio<S> {
    fn rbio(&mut self) -> Option<&mut dyn Bio> {
        Some(self)
    }

    fn wbio(&mut self) -> Option<&mut dyn Bio> {
        Some(self)
    }
}
