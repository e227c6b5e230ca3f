//! Retries that never duplicate: when a request may go again, on a new
//! connection, after its connection failed under it.
//!
//! A request is sent again automatically only when
//!
//! * not one byte of it was handed out for transmission
//!   ([`RetrySafety::NothingSent`]), whatever its method; or
//! * it is idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE — RFC 9110
//!   §9.2.2 — or marked so by an `Idempotency-Key` header or by
//!   [`Retries::AssumeIdempotent`]), it went on a kept-alive connection that
//!   had already carried a response (the usual sign of a server that closed
//!   it while idle, RFC 9112 §9.3.1), and nothing of its response arrived
//!   ([`RetrySafety::NoResponse`]).
//!
//! A non-idempotent request that met the second case is
//! [`Error::MaybeProcessed`]: the caller learns that the server may have
//! acted on it, and decides. Anything else keeps its own error.

use httpcore::{BodyLength, RetrySafety};

use crate::Error;

/// When the client layer may send a request again on a new connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Retries {
    /// Only when that cannot make the server act twice (see the module
    /// docs). The default.
    #[default]
    Safe,
    /// As `Safe`, with every request taken as idempotent: the caller vouches
    /// that repeating any of them is harmless.
    AssumeIdempotent,
    /// Never: every failure is returned as it is.
    Never,
}

/// Whether `method` is idempotent by definition (RFC 9110 §9.2.2; methods
/// are case-sensitive).
pub fn is_idempotent_method(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE"
    )
}

/// The header by which a caller marks a request safe to repeat (the IETF
/// httpapi draft's name, used by Stripe, PayPal and others).
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Bodies up to this size are kept so the request can go again; a larger
/// (or streamed) body makes the request one that is never repeated.
pub const REPLAY_LIMIT: usize = 1 << 20;

/// The request being sent, recorded as it is built so that it can be built
/// again on a new connection.
#[derive(Debug, Clone, Default)]
pub struct Recipe {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) skip_host: bool,
    pub(crate) skip_accept_encoding: bool,
    /// Header names and values, back to back; `fields` holds the ends.
    header_bytes: Vec<u8>,
    fields: Vec<(usize, usize)>,
    /// `None`: framed by the headers put; `Some`: `end_headers_with`.
    pub(crate) framing: Option<BodyLength>,
    pub(crate) ended: bool,
    pub(crate) body: Vec<u8>,
    pub(crate) finished: bool,
    /// False once the body came from a stream or grew past
    /// [`REPLAY_LIMIT`].
    pub(crate) replayable: bool,
    /// The request carries an `Idempotency-Key`.
    keyed: bool,
    /// This is the request's second attempt: there is no third.
    pub(crate) replayed: bool,
}

impl Recipe {
    /// Start recording a new request, keeping the buffers.
    pub(crate) fn start(
        &mut self,
        method: &str,
        target: &str,
        skip_host: bool,
        skip_accept_encoding: bool,
    ) {
        self.method.clear();
        self.method.push_str(method);
        self.target.clear();
        self.target.push_str(target);
        self.skip_host = skip_host;
        self.skip_accept_encoding = skip_accept_encoding;
        self.header_bytes.clear();
        self.fields.clear();
        self.framing = None;
        self.ended = false;
        self.body.clear();
        self.finished = false;
        self.replayable = true;
        self.keyed = false;
        self.replayed = false;
    }

    pub(crate) fn header(&mut self, name: &[u8], value: &[u8]) {
        self.keyed |= name.eq_ignore_ascii_case(IDEMPOTENCY_KEY.as_bytes());
        self.header_bytes.extend_from_slice(name);
        let n = self.header_bytes.len();
        self.header_bytes.extend_from_slice(value);
        self.fields.push((n, self.header_bytes.len()));
    }

    pub(crate) fn body(&mut self, data: &[u8]) {
        if self.replayable && self.body.len() + data.len() <= REPLAY_LIMIT {
            self.body.extend_from_slice(data);
        } else {
            self.replayable = false;
            self.body = Vec::new();
        }
    }

    pub(crate) fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut start = 0;
        self.fields.iter().map(move |&(n, v)| {
            let field = (&self.header_bytes[start..n], &self.header_bytes[n..v]);
            start = v;
            field
        })
    }

    /// The method of the request recorded.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Whether repeating the request is harmless by its method or by the
    /// caller's `Idempotency-Key`.
    pub fn is_idempotent(&self) -> bool {
        self.keyed || is_idempotent_method(&self.method)
    }

    /// Whether all of it was recorded (head ended, body kept whole).
    pub fn is_replayable(&self) -> bool {
        self.ended && self.replayable
    }
}

/// What to do with a request whose connection failed.
#[derive(Debug)]
pub enum Decision {
    /// Open a new connection and send the request again.
    Retry,
    /// Return this error.
    Fail(Error),
}

/// The decision for `error`, met by the request `recipe` describes, which
/// had got as far as `safety` on a connection that had carried `served`
/// responses before it.
pub fn decide(
    policy: Retries,
    error: Error,
    safety: RetrySafety,
    served: u32,
    recipe: &Recipe,
) -> Decision {
    if !error.connection_failed() {
        return Decision::Fail(error);
    }
    let idempotent = policy == Retries::AssumeIdempotent || recipe.is_idempotent();
    let may = policy != Retries::Never && recipe.is_replayable() && !recipe.replayed;
    match safety {
        RetrySafety::NothingSent if may => Decision::Retry,
        RetrySafety::NoResponse if may && idempotent && served > 0 => Decision::Retry,
        RetrySafety::NoResponse if !idempotent => Decision::Fail(Error::MaybeProcessed {
            method: recipe.method.clone(),
            target: recipe.target.clone(),
            source: Box::new(error),
        }),
        _ => Decision::Fail(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(method: &str, headers: &[(&str, &str)]) -> Recipe {
        let mut r = Recipe::default();
        r.start(method, "/x", false, false);
        for (n, v) in headers {
            r.header(n.as_bytes(), v.as_bytes());
        }
        r.ended = true;
        r.finished = true;
        r
    }

    fn closed() -> Error {
        Error::Http(httpcore::Error::RemoteDisconnected {
            retry: RetrySafety::NoResponse,
        })
    }

    fn outcome(d: Decision) -> &'static str {
        match d {
            Decision::Retry => "retry",
            Decision::Fail(e) => e.name(),
        }
    }

    #[test]
    fn the_decision_table() {
        use RetrySafety::*;
        let reset = || Error::Io {
            during: "reading the response",
            source: std::io::ErrorKind::ConnectionReset.into(),
        };
        let timeout = || Error::Timeout { during: "reading" };
        /// Policy, method, headers, how far it got, responses served
        /// before, the error, the outcome.
        type Row = (
            Retries,
            &'static str,
            &'static [(&'static str, &'static str)],
            RetrySafety,
            u32,
            fn() -> Error,
            &'static str,
        );
        #[rustfmt::skip]
        let table: &[Row] = &[
            // Idempotent methods go again on a reused connection.
            (Retries::Safe, "GET", &[], NoResponse, 1, closed, "retry"),
            (Retries::Safe, "PUT", &[], NoResponse, 3, reset, "retry"),
            (Retries::Safe, "DELETE", &[], NoResponse, 1, closed, "retry"),
            // ... but not on a new one: the server itself is failing.
            (Retries::Safe, "GET", &[], NoResponse, 0, closed, "RemoteDisconnected"),
            // A POST never goes twice by itself.
            (Retries::Safe, "POST", &[], NoResponse, 1, closed, "MaybeProcessed"),
            (Retries::Safe, "PATCH", &[], NoResponse, 1, reset, "MaybeProcessed"),
            (Retries::Safe, "POST", &[], NoResponse, 0, closed, "MaybeProcessed"),
            (Retries::Safe, "get", &[], NoResponse, 1, closed, "MaybeProcessed"),
            // ... unless the caller marks it.
            (Retries::Safe, "POST", &[("idempotency-key", "k1")], NoResponse, 1, closed, "retry"),
            (Retries::AssumeIdempotent, "POST", &[], NoResponse, 1, closed, "retry"),
            // Nothing sent: always safe.
            (Retries::Safe, "POST", &[], NothingSent, 1, closed, "retry"),
            (Retries::Safe, "POST", &[], NothingSent, 0, reset, "retry"),
            // Part of a response: the server acted; never again.
            (Retries::Safe, "GET", &[], PartialResponse, 1, closed, "RemoteDisconnected"),
            (Retries::AssumeIdempotent, "POST", &[], PartialResponse, 1, reset, "ConnectionReset"),
            // Opted out.
            (Retries::Never, "GET", &[], NoResponse, 1, closed, "RemoteDisconnected"),
            (Retries::Never, "GET", &[], NothingSent, 1, closed, "RemoteDisconnected"),
            (Retries::Never, "POST", &[], NoResponse, 1, closed, "MaybeProcessed"),
            // Not a failed connection: returned as it is.
            (Retries::Safe, "GET", &[], NoResponse, 1, timeout, "Timeout"),
        ];
        for (i, (policy, method, headers, safety, served, error, want)) in table.iter().enumerate()
        {
            let r = recipe(method, headers);
            let got = outcome(decide(*policy, error(), *safety, *served, &r));
            assert_eq!(
                got, *want,
                "row {i}: {policy:?} {method} {safety:?} served {served}"
            );
        }
    }

    #[test]
    fn a_request_goes_at_most_twice() {
        let mut r = recipe("GET", &[]);
        r.replayed = true;
        for safety in [RetrySafety::NothingSent, RetrySafety::NoResponse] {
            let d = decide(Retries::AssumeIdempotent, closed(), safety, 1, &r);
            assert_eq!(outcome(d), "RemoteDisconnected", "{safety:?}");
        }
    }

    #[test]
    fn a_body_that_was_not_kept_is_never_sent_again() {
        let mut r = recipe("PUT", &[]);
        r.body(&vec![0; REPLAY_LIMIT]);
        assert!(r.is_replayable());
        r.body(b"one byte more");
        assert!(!r.is_replayable());
        assert!(r.body.is_empty(), "the kept bytes are given back");
        let d = decide(Retries::Safe, closed(), RetrySafety::NoResponse, 1, &r);
        assert_eq!(outcome(d), "RemoteDisconnected");
        let mut unended = recipe("GET", &[]);
        unended.ended = false;
        let d = decide(
            Retries::Safe,
            closed(),
            RetrySafety::NothingSent,
            1,
            &unended,
        );
        assert_eq!(outcome(d), "RemoteDisconnected");
    }

    #[test]
    fn maybe_processed_says_so_and_keeps_the_cause() {
        let r = recipe("POST", &[]);
        let Decision::Fail(e) = decide(Retries::Safe, closed(), RetrySafety::NoResponse, 1, &r)
        else {
            panic!("a POST was retried")
        };
        let text = e.to_string();
        assert!(text.contains("POST /x"), "{text}");
        assert!(text.contains("may or may not have processed"), "{text}");
        assert!(
            std::error::Error::source(&e).is_some_and(|s| s.to_string().contains("closed")),
            "{text}"
        );
    }

    #[test]
    fn the_recipe_gives_back_the_headers_in_order() {
        let r = recipe("GET", &[("A", "1"), ("Bb", ""), ("C", "three")]);
        let got: Vec<_> = r.headers().collect();
        assert_eq!(
            got,
            [
                (&b"A"[..], &b"1"[..]),
                (&b"Bb"[..], &b""[..]),
                (&b"C"[..], &b"three"[..])
            ]
        );
    }
}
