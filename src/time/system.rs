//! The wall clock: [`SystemTime`], std's `std::time::SystemTime` (Go's
//! `time.Time` without its monotonic reading, `time.Now` over
//! `walltime`): seconds and nanoseconds since the Unix epoch, as file
//! times and `now()` give them. It can go backwards (the clock can be
//! set); measure intervals with [`Instant`](super::Instant).

use core::fmt;
use core::time::Duration;

use crate::sys::time::walltime;

/// Nanoseconds in a second.
const NANOS_PER_SEC: u32 = 1_000_000_000;

/// A wall-clock time: seconds and nanoseconds since the Unix epoch
/// (std's `time::SystemTime`, Go's `time.Time` without its monotonic
/// reading). File times are of this type.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SystemTime {
    secs: i64,
    /// Always below one second.
    nanos: u32,
}

/// 1970-01-01 00:00:00 UTC (std's `UNIX_EPOCH`).
pub const UNIX_EPOCH: SystemTime = SystemTime { secs: 0, nanos: 0 };

/// A time was later than the one it was measured from (std's
/// `SystemTimeError`): the difference, the other way round.
#[derive(Clone, Debug)]
pub struct SystemTimeError(Duration);

impl SystemTimeError {
    /// How much later it was.
    pub fn duration(&self) -> Duration {
        self.0
    }
}

impl fmt::Display for SystemTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("second time provided was later than self")
    }
}

impl core::error::Error for SystemTimeError {}

impl SystemTime {
    /// The Unix epoch (std's `SystemTime::UNIX_EPOCH`).
    pub const UNIX_EPOCH: SystemTime = UNIX_EPOCH;

    /// From `st_*time` and `st_*time_nsec` (normalised: a negative or
    /// too large nanosecond part is carried into the seconds).
    pub(crate) fn from_parts(secs: i64, nsec: i64) -> SystemTime {
        let n = i64::from(NANOS_PER_SEC);
        SystemTime {
            secs: secs + nsec.div_euclid(n),
            nanos: nsec.rem_euclid(n) as u32,
        }
    }

    /// The wall clock now (`clock_gettime(CLOCK_REALTIME)`, through the vDSO when there is one).
    pub fn now() -> SystemTime {
        let (secs, nanos) = walltime();
        SystemTime::from_parts(secs, i64::from(nanos))
    }

    /// How long after `earlier` this is; an error (holding the
    /// difference) if it is before.
    pub fn duration_since(&self, earlier: SystemTime) -> Result<Duration, SystemTimeError> {
        let diff = |a: &SystemTime, b: &SystemTime| {
            // a >= b here.
            let (mut s, mut n) = (a.secs - b.secs, i64::from(a.nanos) - i64::from(b.nanos));
            if n < 0 {
                s -= 1;
                n += i64::from(NANOS_PER_SEC);
            }
            Duration::new(s as u64, n as u32)
        };
        if *self >= earlier {
            Ok(diff(self, &earlier))
        } else {
            Err(SystemTimeError(diff(&earlier, self)))
        }
    }

    /// How long ago this was.
    pub fn elapsed(&self) -> Result<Duration, SystemTimeError> {
        SystemTime::now().duration_since(*self)
    }

    /// Seconds since the epoch (negative before it).
    pub fn unix_secs(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds within the second (0..1e9).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// This time plus `d`, None on overflow.
    pub fn checked_add(&self, d: Duration) -> Option<SystemTime> {
        let secs = self.secs.checked_add(i64::try_from(d.as_secs()).ok()?)?;
        let nanos = i64::from(self.nanos) + i64::from(d.subsec_nanos());
        Some(SystemTime::from_parts(secs, nanos))
    }

    /// This time minus `d`, None on overflow.
    pub fn checked_sub(&self, d: Duration) -> Option<SystemTime> {
        let secs = self.secs.checked_sub(i64::try_from(d.as_secs()).ok()?)?;
        let nanos = i64::from(self.nanos) - i64::from(d.subsec_nanos());
        Some(SystemTime::from_parts(secs, nanos))
    }
}

impl core::ops::Add<Duration> for SystemTime {
    type Output = SystemTime;
    /// Panics on overflow, as std.
    fn add(self, d: Duration) -> SystemTime {
        self.checked_add(d)
            .expect("overflow when adding duration to instant")
    }
}

impl core::ops::Sub<Duration> for SystemTime {
    type Output = SystemTime;
    /// Panics on overflow, as std.
    fn sub(self, d: Duration) -> SystemTime {
        self.checked_sub(d)
            .expect("overflow when subtracting duration from instant")
    }
}

impl fmt::Debug for SystemTime {
    /// std's shape on Unix: `SystemTime { tv_sec: .., tv_nsec: .. }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemTime")
            .field("tv_sec", &self.secs)
            .field("tv_nsec", &self.nanos)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_std() {
        let t = SystemTime::from_parts(1_700_000_000, 123_456_789);
        let s = std::time::UNIX_EPOCH + std::time::Duration::new(1_700_000_000, 123_456_789);
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap(),
            s.duration_since(std::time::UNIX_EPOCH).unwrap()
        );
        let earlier = t - Duration::from_millis(1500);
        assert_eq!(
            t.duration_since(earlier).unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            earlier.duration_since(t).unwrap_err().duration(),
            Duration::from_millis(1500)
        );
        let neg = SystemTime::from_parts(-1, 500_000_000);
        assert_eq!(neg.unix_secs(), -1);
        assert_eq!(
            UNIX_EPOCH.duration_since(neg).unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(SystemTime::from_parts(5, -1).unix_secs(), 4);
        assert_eq!(SystemTime::from_parts(5, -1).subsec_nanos(), 999_999_999);
    }
}
