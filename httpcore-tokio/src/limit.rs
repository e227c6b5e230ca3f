//! How long one phase of a request may take: its own timeout and the
//! request's deadline, raced against the phase's future.
//!
//! [`deadline`] and [`within`] return plain futures rather than `async fn`
//! state machines: each phase of every request goes through them, and with
//! nothing to time (no timeout, no deadline, the default) the phase is its
//! own future and nothing more — no timer, no clock read, no extra layer to
//! build, move and poll.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use httpcore_client::{Deadline, Error};
use pin_project_lite::pin_project;
use tokio::time::Timeout;

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
                Poll::Ready(Err(_elapsed)) => Poll::Ready(Err(match &limit.cap {
                    Some(cap) if cap.binds(limit.own, *started) => cap.exceeded(during),
                    _ => Error::Timeout { during },
                })),
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
