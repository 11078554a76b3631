//! `Ready` and `Interest`: the bits that travel from an epoll event to a
//! waiting task.
//!
//! ```text
//! mio::event::Event ─► Ready::from_mio ─► ScheduledIo::set_readiness (bits | tick)
//!                                          ScheduledIo::wake(ready) ─► wakers whose
//!                                          Interest::mask() intersects `ready`
//! ```
//!
//! `READ_CLOSED` / `WRITE_CLOSED` are sticky: once the peer hung up, every
//! later read sees it (`ScheduledIo::clear_readiness` never removes them).

use std::fmt;
use std::ops;

/// A set of readiness events, as reported by the I/O driver.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Ready(u8);

impl Ready {
    pub const EMPTY: Ready = Ready(0);
    pub const READABLE: Ready = Ready(0b0_0001);
    pub const WRITABLE: Ready = Ready(0b0_0010);
    /// The read half was closed (peer `shutdown(Write)` or hang-up).
    pub const READ_CLOSED: Ready = Ready(0b0_0100);
    /// The write half was closed (hang-up or error).
    pub const WRITE_CLOSED: Ready = Ready(0b0_1000);
    /// An error is pending on the socket (`take_error` will return it).
    pub const ERROR: Ready = Ready(0b1_0000);
    pub(crate) const ALL: Ready = Ready(0b1_1111);

    /// Translate one epoll event (via mio's portable accessors).
    pub(crate) fn from_mio(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.is_readable() {
            ready |= Ready::READABLE;
        }
        if event.is_writable() {
            ready |= Ready::WRITABLE;
        }
        if event.is_read_closed() {
            ready |= Ready::READ_CLOSED;
        }
        if event.is_write_closed() {
            ready |= Ready::WRITE_CLOSED;
        }
        if event.is_error() {
            ready |= Ready::ERROR;
        }
        ready
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn is_readable(self) -> bool {
        self.contains(Ready::READABLE) || self.is_read_closed()
    }
    pub fn is_writable(self) -> bool {
        self.contains(Ready::WRITABLE) || self.is_write_closed()
    }
    pub fn is_read_closed(self) -> bool {
        self.contains(Ready::READ_CLOSED)
    }
    pub fn is_write_closed(self) -> bool {
        self.contains(Ready::WRITE_CLOSED)
    }
    pub fn is_error(self) -> bool {
        self.contains(Ready::ERROR)
    }

    pub fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn intersects(self, other: Ready) -> bool {
        self.0 & other.0 != 0
    }

    pub(crate) fn as_usize(self) -> usize {
        usize::from(self.0)
    }

    pub(crate) fn from_usize(bits: usize) -> Ready {
        Ready((bits & Ready::ALL.as_usize()) as u8)
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, rhs: Ready) -> Ready {
        Ready(self.0 | rhs.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, rhs: Ready) {
        self.0 |= rhs.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;
    fn bitand(self, rhs: Ready) -> Ready {
        Ready(self.0 & rhs.0)
    }
}

/// Set difference.
impl ops::Sub for Ready {
    type Output = Ready;
    fn sub(self, rhs: Ready) -> Ready {
        Ready(self.0 & !rhs.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut set = f.debug_set();
        for (bit, name) in names {
            if self.contains(bit) {
                set.entry(&format_args!("{name}"));
            }
        }
        set.finish()
    }
}

/// What a task waits for: reading, writing, or either.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Interest(u8);

impl Interest {
    pub const READABLE: Interest = Interest(0b01);
    pub const WRITABLE: Interest = Interest(0b10);

    pub fn is_readable(self) -> bool {
        self.0 & Interest::READABLE.0 != 0
    }
    pub fn is_writable(self) -> bool {
        self.0 & Interest::WRITABLE.0 != 0
    }

    /// Both directions.
    #[must_use]
    pub fn with(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// The readiness bits that satisfy this interest. Errors and hang-ups
    /// count for both directions: the next syscall reports them.
    pub(crate) fn mask(self) -> Ready {
        let mut mask = Ready::EMPTY;
        if self.is_readable() {
            mask |= Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR;
        }
        if self.is_writable() {
            mask |= Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR;
        }
        mask
    }

    pub(crate) fn to_mio(self) -> mio::Interest {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => mio::Interest::READABLE | mio::Interest::WRITABLE,
            (false, true) => mio::Interest::WRITABLE,
            _ => mio::Interest::READABLE,
        }
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        self.with(rhs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_set_ops() {
        let r = Ready::READABLE | Ready::READ_CLOSED;
        assert!(r.is_readable() && r.is_read_closed() && !r.is_writable());
        assert_eq!(r - Ready::READ_CLOSED, Ready::READABLE);
        assert!(Interest::READABLE.mask().intersects(Ready::READ_CLOSED));
        assert!(!Interest::READABLE.mask().intersects(Ready::WRITABLE));
        assert!(Interest::WRITABLE.mask().intersects(Ready::ERROR));
        let both = Interest::READABLE | Interest::WRITABLE;
        assert!(both.is_readable() && both.is_writable());
        assert_eq!(Ready::from_usize(Ready::ALL.as_usize() | 0x100), Ready::ALL);
        assert_eq!(format!("{r:?}"), "{READABLE, READ_CLOSED}");
    }
}
