//! One limit for a whole request, across its phases (waiting for a pooled
//! connection, connecting, TLS, sending, the head, the body, redirects),
//! beside each phase's own timeout. Sans-IO: the adapter passes the time
//! in and asks, before each wait, how long it may wait.

use std::time::{Duration, Instant};

use crate::Error;

/// `now + d`, or — when `d` is too long to add (`Duration::MAX` written
/// for "never") — the furthest of `now + d/2`, `now + d/4`, ... that can
/// be written: decades away, a wait that never ends, where the plain `+`
/// would panic.
pub fn later(now: Instant, d: Duration) -> Instant {
    let mut d = d;
    loop {
        if let Some(at) = now.checked_add(d) {
            return at;
        }
        d /= 2;
    }
}

/// A request's deadline: `limit` from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline `limit` after `now`.
    pub fn after(limit: Duration, now: Instant) -> Deadline {
        Deadline {
            at: later(now, limit),
            limit,
        }
    }

    /// When it runs out.
    pub fn at(&self) -> Instant {
        self.at
    }

    /// The limit it was made with.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// How long a phase whose own timeout is `own` may wait at `now`: the
    /// shorter of `own` and what is left; `DeadlineExceeded` naming the
    /// phase (`during`) when nothing is left.
    pub fn bound(
        &self,
        own: Option<Duration>,
        now: Instant,
        during: &'static str,
    ) -> Result<Duration, Error> {
        let left = self.at.saturating_duration_since(now);
        if left.is_zero() {
            return Err(self.exceeded(during));
        }
        Ok(own.map_or(left, |own| own.min(left)))
    }

    /// Whether, at `now`, the deadline is what limits a phase whose own
    /// timeout is `own` (so a timeout that fires is the deadline's).
    pub fn binds(&self, own: Option<Duration>, now: Instant) -> bool {
        own.is_none_or(|own| self.at.saturating_duration_since(now) <= own)
    }

    /// The error for a phase cut by the deadline.
    pub fn exceeded(&self, during: &'static str) -> Error {
        Error::DeadlineExceeded {
            during,
            limit: self.limit,
        }
    }

    /// `e`, or — when it is a phase's `Timeout` that fired once the
    /// deadline had run out at `now` — `DeadlineExceeded` for that phase.
    pub fn judge(&self, e: Error, now: Instant) -> Error {
        match e {
            Error::Timeout { during } if now + Duration::from_millis(1) >= self.at => {
                self.exceeded(during)
            }
            e => e,
        }
    }
}

/// [`Deadline::bound`] for an optional deadline: the phase's own timeout
/// when there is none.
pub fn bound(
    deadline: Option<&Deadline>,
    own: Option<Duration>,
    now: Instant,
    during: &'static str,
) -> Result<Option<Duration>, Error> {
    match deadline {
        None => Ok(own),
        Some(d) => d.bound(own, now, during).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_too_long_to_add_never_ends_and_never_panics() {
        let now = Instant::now();
        assert_eq!(
            later(now, Duration::from_secs(2)),
            now + Duration::from_secs(2)
        );
        let never = later(now, Duration::MAX);
        assert!(never > now + Duration::from_secs(100 * 365 * 24 * 3600));
        let d = Deadline::after(Duration::MAX, now);
        assert_eq!(d.at(), never);
        // A phase's own timeout bounds it; none, and it may wait that long.
        let own = Some(Duration::from_secs(5));
        assert_eq!(d.bound(own, now, "x").unwrap(), Duration::from_secs(5));
        assert!(!d.binds(own, now));
    }

    #[test]
    fn each_phase_waits_the_shorter_of_its_timeout_and_what_is_left() {
        let t0 = Instant::now();
        let d = Deadline::after(Duration::from_secs(10), t0);
        let ms = Duration::from_millis;
        assert_eq!(d.bound(Some(ms(500)), t0, "connecting").unwrap(), ms(500));
        assert_eq!(d.bound(None, t0, "connecting").unwrap(), ms(10_000));
        let late = t0 + ms(9_800);
        assert_eq!(
            d.bound(Some(ms(500)), late, "reading the body").unwrap(),
            ms(200)
        );
        assert!(d.binds(Some(ms(500)), late) && !d.binds(Some(ms(500)), t0));
        let e = d
            .bound(Some(ms(500)), t0 + ms(10_000), "reading the body")
            .unwrap_err();
        assert_eq!(e.name(), "DeadlineExceeded");
        assert_eq!(
            e.to_string(),
            "the request's deadline of 10s ran out while reading the body"
        );
        assert_eq!(bound(None, Some(ms(5)), late, "x").unwrap(), Some(ms(5)));
    }

    #[test]
    fn a_timeout_at_the_deadline_is_the_deadlines() {
        let t0 = Instant::now();
        let d = Deadline::after(Duration::from_secs(1), t0);
        let timeout = || Error::Timeout {
            during: "waiting for the response",
        };
        assert_eq!(d.judge(timeout(), t0).name(), "Timeout", "the phase's own");
        let e = d.judge(timeout(), t0 + Duration::from_secs(1));
        assert!(matches!(
            e,
            Error::DeadlineExceeded {
                during: "waiting for the response",
                ..
            }
        ));
        let other = Error::BodyTooLarge { limit: 1 };
        assert_eq!(
            d.judge(other, t0 + Duration::from_secs(5)).name(),
            "BodyTooLarge"
        );
    }
}
