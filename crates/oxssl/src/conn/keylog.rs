//! Key logging in the NSS format, to a file named by `SSLKEYLOGFILE` or any writer.

use crate::config::KeyLog;
use std::io::Write;
use std::sync::Mutex;

/// Appends `LABEL <client_random hex> <secret hex>` lines to a file.
pub struct KeyLogFile {
    file: Mutex<std::fs::File>,
}

impl KeyLogFile {
    /// Opens (appending) the file named by the `SSLKEYLOGFILE` environment variable, if set.
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os("SSLKEYLOGFILE")?;
        Self::open(path).ok()
    }

    /// Opens (appending, creating) `path`.
    pub fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        Ok(KeyLogFile {
            file: Mutex::new(file),
        })
    }
}

/// Formats one key log line (without the newline).
pub fn format_line(label: &str, client_random: &[u8], secret: &[u8]) -> String {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    format!("{label} {} {}", hex(client_random), hex(secret))
}

impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        if let Ok(mut f) = self.file.lock() {
            let _ = writeln!(f, "{}", format_line(label, client_random, secret));
        }
    }
}
