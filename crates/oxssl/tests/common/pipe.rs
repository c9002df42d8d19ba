//! An in-memory duplex transport: two byte queues, one per direction.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::rc::Rc;

type Queue = Rc<RefCell<VecDeque<u8>>>;

/// One end of a pipe: writes go to the peer, reads come from the peer.
#[derive(Clone)]
pub struct PipeEnd {
    rx: Queue,
    tx: Queue,
    /// When set, reads of an empty queue report EOF instead of WouldBlock.
    pub eof: Rc<RefCell<bool>>,
}

/// A connected pair of pipe ends.
pub fn pipe() -> (PipeEnd, PipeEnd) {
    let a: Queue = Default::default();
    let b: Queue = Default::default();
    let eof = Rc::new(RefCell::new(false));
    (
        PipeEnd {
            rx: a.clone(),
            tx: b.clone(),
            eof: eof.clone(),
        },
        PipeEnd { rx: b, tx: a, eof },
    )
}

impl PipeEnd {
    pub fn send(&self, data: &[u8]) {
        self.tx.borrow_mut().extend(data);
    }

    pub fn peek_all(&self) -> Vec<u8> {
        self.rx.borrow().iter().copied().collect()
    }

    pub fn discard(&self, n: usize) {
        self.rx.borrow_mut().drain(..n);
    }

    pub fn pending(&self) -> usize {
        self.rx.borrow().len()
    }

    /// Bytes this end has written and the peer not yet read.
    pub fn in_flight(&self) -> usize {
        self.tx.borrow().len()
    }
}

impl io::Read for PipeEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut q = self.rx.borrow_mut();
        if q.is_empty() {
            if *self.eof.borrow() {
                return Ok(0);
            }
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = buf.len().min(q.len());
        for (i, b) in q.drain(..n).enumerate() {
            buf[i] = b;
        }
        Ok(n)
    }
}

impl io::Write for PipeEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx.borrow_mut().extend(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
