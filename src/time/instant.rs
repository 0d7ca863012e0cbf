//! [`Instant`]: a reading of the monotonic clock (Rust's
//! `std::time::Instant`; Go's `time.Time` with its monotonic reading, as
//! `time.Now()` returns and `Sub`/`Since`/`Add` use).
//!
//! An `Instant` is [`nanotime`](super::nanotime)'s value, nanoseconds on
//! `CLOCK_MONOTONIC` since an arbitrary start (the boot), so it never goes
//! back and is comparable across goroutines and threads. It is what the
//! network deadlines take (`TcpStream::set_deadline`, Go's
//! `Conn.SetDeadline`). Arithmetic saturates nowhere silently: `+` and
//! `-` with a `Duration` panic on overflow as std's do, `checked_*`
//! return `None`, and the difference of two instants saturates at zero
//! as std's `duration_since` does since Rust 1.60.

use core::ops::{Add, AddAssign, Sub, SubAssign};
use core::time::Duration;

/// Nanoseconds in a second.
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A point on the monotonic clock (std's `Instant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Nanoseconds since the clock's start, as [`super::nanotime`].
    nanos: i64,
}

/// `d` in nanoseconds, if it fits in an i64.
fn duration_nanos(d: Duration) -> Option<i64> {
    i64::try_from(d.as_nanos()).ok()
}

fn nanos_duration(ns: u64) -> Duration {
    Duration::new(ns / NANOS_PER_SEC, (ns % NANOS_PER_SEC) as u32)
}

impl Instant {
    /// The clock now (std's `Instant::now`, Go's `time.Now`).
    pub fn now() -> Instant {
        Instant {
            nanos: super::nanotime(),
        }
    }

    /// The instant for a raw [`super::nanotime`] reading.
    pub const fn from_nanotime(nanos: i64) -> Instant {
        Instant { nanos }
    }

    /// The raw [`super::nanotime`] reading this instant is (what the
    /// netpoller's deadlines and the timers take).
    pub const fn as_nanotime(self) -> i64 {
        self.nanos
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later (std's
    /// `duration_since`; Go's `t.Sub(u)`).
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time from `earlier` to `self`, `None` if `earlier` is later
    /// (std's `checked_duration_since`).
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        let d = self.nanos.checked_sub(earlier.nanos)?;
        u64::try_from(d).ok().map(nanos_duration)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later (std's
    /// `saturating_duration_since`).
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.checked_duration_since(earlier).unwrap_or_default()
    }

    /// Time since this instant (std's `elapsed`, Go's `time.Since`).
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + d`, `None` on overflow (std's `checked_add`).
    pub fn checked_add(&self, d: Duration) -> Option<Instant> {
        let n = self.nanos.checked_add(duration_nanos(d)?)?;
        Some(Instant { nanos: n })
    }

    /// `self - d`, `None` on overflow (std's `checked_sub`).
    pub fn checked_sub(&self, d: Duration) -> Option<Instant> {
        let n = self.nanos.checked_sub(duration_nanos(d)?)?;
        Some(Instant { nanos: n })
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On overflow, as std's.
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .expect("overflow when adding duration to instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    /// # Panics
    /// On overflow, as std's.
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d)
            .expect("overflow when subtracting duration from instant")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    /// `self.duration_since(other)` (zero if `other` is later), as std's.
    fn sub(self, other: Instant) -> Duration {
        self.duration_since(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let a = Instant::from_nanotime(5_000_000_000);
        let b = a + Duration::from_millis(1500);
        assert_eq!(b.as_nanotime(), 6_500_000_000);
        assert_eq!(b - a, Duration::from_millis(1500));
        assert_eq!(a - b, Duration::ZERO);
        assert_eq!(a.checked_duration_since(b), None);
        assert_eq!(
            b.checked_duration_since(a),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(b - Duration::from_millis(1500), a);
        assert!(a < b);
        assert_eq!(a.checked_add(Duration::MAX), None);
        assert_eq!(
            Instant::from_nanotime(i64::MAX).checked_add(Duration::from_nanos(1)),
            None
        );
        let mut c = a;
        c += Duration::from_nanos(7);
        c -= Duration::from_nanos(2);
        assert_eq!(c.as_nanotime(), 5_000_000_005);
    }
}
