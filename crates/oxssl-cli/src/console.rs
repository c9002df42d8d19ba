//! Lines from stdin, read on their own thread so a relay loop can poll them.

use std::io::BufRead;
use std::sync::mpsc::{channel, Receiver};

/// One line from stdin (with its newline), or its end.
pub enum Line {
    /// A line of text.
    Text(String),
    /// End of input.
    Eof,
}

/// stdin, polled.
pub struct Console {
    rx: Receiver<Line>,
}

impl Console {
    /// Starts reading stdin on a background thread.
    pub fn spawn() -> Console {
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            loop {
                let mut line = String::new();
                match lock.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Line::Eof);
                        return;
                    }
                    Ok(_) => {
                        if tx.send(Line::Text(line)).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Console { rx }
    }

    /// The next line if one is ready.
    pub fn try_line(&self) -> Option<Line> {
        self.rx.try_recv().ok()
    }
}
