//! How long one phase of a request may take: its own timeout and the
//! request's deadline, raced against the phase's future.
//!
//! [`deadline`] and [`within`] return plain futures rather than `async fn`
//! state machines: with nothing to time (no timeout, no deadline, the
//! default) the phase is its own future and nothing more — no timer, no
//! clock read, no extra layer to build, move and poll. A connection's own
//! request phases (writing, flushing, waiting for the head) are polled by
//! hand in one function, and time themselves with a [`PhaseTimer`].

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use httpcore_client::{Deadline, Error};
use pin_project_lite::pin_project;
use tokio::time::{Sleep, Timeout};

/// How long one phase may wait: its own timeout, and the whole request's
/// deadline if one was set (the shorter wins).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Limit {
    pub(crate) own: Option<Duration>,
    pub(crate) cap: Option<Deadline>,
}

impl Limit {
    pub(crate) fn new(own: Option<Duration>, cap: Option<Deadline>) -> Limit {
        Limit { own, cap }
    }

    /// Nothing to time.
    fn is_none(&self) -> bool {
        self.own.is_none() && self.cap.is_none()
    }

    /// The error for a phase that ran out of time, `started` at its
    /// start: the deadline's when it was the nearer limit, else the
    /// phase's own timeout.
    fn expired(&self, during: &'static str, started: Instant) -> Error {
        match &self.cap {
            Some(cap) if cap.binds(self.own, started) => cap.exceeded(during),
            _ => Error::Timeout { during },
        }
    }
}

/// A [`Limit`] for phases polled by hand, one after another: each phase
/// [`start`](Self::start)s it, and polls [`expired`](Self::poll_expired)
/// while its I/O waits. The same errors as [`deadline`]; one timer kept
/// and re-armed from phase to phase; no clock read for a phase with
/// nothing to time.
#[derive(Debug, Default)]
pub(crate) struct PhaseTimer {
    sleep: Option<Pin<Box<Sleep>>>,
    /// The running phase's limit, name and start, while it is timed.
    timed: Option<(Limit, &'static str, Instant)>,
}

impl PhaseTimer {
    /// A phase named `during` begins under `limit`: `Err` at once when the
    /// request's deadline has already passed.
    #[inline]
    pub(crate) fn start(&mut self, limit: Limit, during: &'static str) -> Result<(), Error> {
        self.timed = None;
        if limit.is_none() {
            return Ok(());
        }
        self.start_timed(limit, during)
    }

    /// [`start`](Self::start) for a phase with something to time.
    fn start_timed(&mut self, limit: Limit, during: &'static str) -> Result<(), Error> {
        let now = Instant::now();
        let Some(t) = httpcore_client::deadline::bound(limit.cap.as_ref(), limit.own, now, during)?
        else {
            return Ok(());
        };
        let at = tokio::time::Instant::from_std(httpcore_client::deadline::later(now, t));
        match &mut self.sleep {
            Some(sleep) => sleep.as_mut().reset(at),
            None => self.sleep = Some(Box::pin(tokio::time::sleep_until(at))),
        }
        self.timed = Some((limit, during, now));
        Ok(())
    }

    /// `Ready` with the phase's error once its time has run out (and its
    /// waker registered until then).
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<Error> {
        let (Some((limit, during, started)), Some(sleep)) = (self.timed, &mut self.sleep) else {
            return Poll::Pending;
        };
        std::task::ready!(sleep.as_mut().poll(cx));
        self.timed = None;
        Poll::Ready(limit.expired(during, started))
    }
}

impl From<Option<Duration>> for Limit {
    fn from(own: Option<Duration>) -> Limit {
        Limit { own, cap: None }
    }
}

/// Run `fut` under `limit`: `Error::Timeout { during }` when the phase's
/// own timeout runs out, `DeadlineExceeded` when the request's deadline
/// does (at once if it already has).
pub(crate) fn deadline<T, F>(limit: Limit, during: &'static str, fut: F) -> Bounded<F>
where
    F: Future<Output = Result<T, Error>>,
{
    if limit.is_none() {
        return Bounded::Plain { fut };
    }
    let now = Instant::now();
    match httpcore_client::deadline::bound(limit.cap.as_ref(), limit.own, now, during) {
        Err(error) => Bounded::Failed { error: Some(error) },
        Ok(None) => Bounded::Plain { fut },
        Ok(Some(t)) => Bounded::Timed {
            timeout: tokio::time::timeout_at(httpcore_client::deadline::later(now, t).into(), fut),
            limit,
            during,
            started: now,
        },
    }
}

/// [`deadline`] for a future of the I/O layer: its errors become
/// `Error::Io` naming the phase.
pub(crate) fn within<T, F>(limit: Limit, during: &'static str, fut: F) -> Bounded<IoPhase<F>>
where
    F: Future<Output = io::Result<T>>,
{
    deadline(limit, during, IoPhase { fut, during })
}

pin_project! {
    /// A phase's future under its [`Limit`] (see [`deadline`]).
    #[project = BoundedProj]
    pub(crate) enum Bounded<F> {
        /// Nothing to time, or nothing that can run out first.
        Plain { #[pin] fut: F },
        /// Raced against the timer of the limit that ends first.
        Timed {
            #[pin]
            timeout: Timeout<F>,
            limit: Limit,
            during: &'static str,
            started: Instant,
        },
        /// The deadline had passed before the phase began.
        Failed { error: Option<Error> },
    }
}

impl<T, F> Future for Bounded<F>
where
    F: Future<Output = Result<T, Error>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            BoundedProj::Plain { fut } => fut.poll(cx),
            BoundedProj::Timed {
                timeout,
                limit,
                during,
                started,
            } => match timeout.poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(r)) => Poll::Ready(r),
                Poll::Ready(Err(_elapsed)) => Poll::Ready(Err(limit.expired(during, *started))),
            },
            BoundedProj::Failed { error } => {
                Poll::Ready(Err(error.take().expect("a Bounded polled after it ended")))
            }
        }
    }
}

pin_project! {
    /// An I/O future whose error becomes `Error::Io` naming the phase.
    pub(crate) struct IoPhase<F> {
        #[pin]
        fut: F,
        during: &'static str,
    }
}

impl<T, F> Future for IoPhase<F>
where
    F: Future<Output = io::Result<T>>,
{
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let during = *this.during;
        this.fut.poll(cx).map_err(|e| Error::io(during, e))
    }
}
