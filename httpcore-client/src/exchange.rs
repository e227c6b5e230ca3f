//! The exchange over one transport connection, sans-IO: the engine, plus
//! what every client adds to it — the request recorded so that it can be
//! sent again when that is safe, interim heads skipped, trailers collected,
//! the 100-continue wait measured from a time the caller passes in, a
//! forward proxy's absolute-form targets, httplib's debug lines. An
//! adapter moves bytes in and out and sleeps until [`poll_timeout`]; it
//! decides nothing.
//!
//! [`poll_timeout`]: Exchange::poll_timeout

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use httpcore::{
    Authority, BodyLength, Config, Connection, Event, Framing, Header, RequestId, ResponseHead,
    SendState, Timer,
};

use crate::proxy::Forward;
use crate::retry::{decide, Decision, Recipe, Retries};
use crate::Error;

/// Where trailer fields of a chunked body go as they are parsed: one copy,
/// from the engine's receive buffer into the collection.
pub trait Trailers {
    /// One trailer field, as received.
    fn trailer(&mut self, name: &[u8], value: &[u8]);
}

impl Trailers for ResponseHead {
    fn trailer(&mut self, name: &[u8], value: &[u8]) {
        self.record(&Event::Trailer(Header { name, value }));
    }
}

impl Trailers for Vec<(Bytes, Bytes)> {
    fn trailer(&mut self, name: &[u8], value: &[u8]) {
        self.push((Bytes::copy_from_slice(name), Bytes::copy_from_slice(value)));
    }
}

/// What the body of the response being read yields next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStep {
    /// A piece of the body, sliced from the receive buffer (no copy).
    Chunk(Bytes),
    /// The response is complete.
    Done,
    /// More bytes are needed: read, then poll again.
    NeedData,
}

/// One connection's exchanges: the engine and the client policy around it.
#[derive(Debug)]
pub struct Exchange {
    engine: Connection,
    retries: Retries,
    recipe: Recipe,
    /// Responses completed on this transport connection.
    served: u32,
    /// When the head of a request awaiting `100 Continue` was handed out
    /// for transmission: the wait runs from there.
    continue_since: Option<Instant>,
    forward: Option<Forward>,
    debug: bool,
    debug_lines: VecDeque<String>,
    /// A head's buffers, handed back by the last response for the next.
    spare_head: ResponseHead,
}

impl Exchange {
    /// A new connection's exchange; `authority` names the origin (`Host`).
    pub fn new(authority: Authority, config: Config) -> Exchange {
        Exchange {
            engine: Connection::new(authority, config),
            retries: Retries::default(),
            recipe: Recipe::default(),
            served: 0,
            continue_since: None,
            forward: None,
            debug: false,
            debug_lines: VecDeque::new(),
            spare_head: ResponseHead::new(),
        }
    }

    /// Start over on a new transport connection to `authority` (the request
    /// recorded is kept, for [`replay`](Self::replay)).
    pub fn reconnected(&mut self, authority: Authority) {
        let config = self.engine.config().clone();
        self.new_engine(authority, config);
    }

    /// The engine configuration (limits, leniencies), for a connection
    /// not yet in use: the engine is replaced.
    pub fn set_config(&mut self, config: Config) {
        let authority = self.engine.authority().clone();
        self.new_engine(authority, config);
    }

    /// A fresh engine: a new transport connection's exchanges start here.
    fn new_engine(&mut self, authority: Authority, config: Config) {
        self.engine = Connection::new(authority, config);
        self.served = 0;
        self.continue_since = None;
    }

    /// When requests may be sent again (the default: only when safe).
    pub fn set_retries(&mut self, retries: Retries) {
        self.retries = retries;
    }

    /// Send requests through a forward proxy (absolute-form targets and its
    /// credentials), or directly (`None`).
    pub fn set_forward(&mut self, forward: Option<Forward>) {
        self.forward = forward;
    }

    /// httplib's debug output: from now on, what is sent and each head
    /// received become lines for [`poll_debug`](Self::poll_debug).
    pub fn set_debug(&mut self, on: bool) {
        self.debug = on;
    }

    // ----- getters ----------------------------------------------------------

    /// The engine (states, getters).
    pub fn engine(&self) -> &Connection {
        &self.engine
    }

    /// The engine, for what the layer does not wrap (pipelined commands,
    /// [`take_leftover`](Connection::take_leftover)). Requests started
    /// here are not recorded and never sent again.
    pub fn engine_mut(&mut self) -> &mut Connection {
        &mut self.engine
    }

    /// Responses completed on this transport connection (0: a new one).
    pub fn served(&self) -> u32 {
        self.served
    }

    /// No request is being written or awaits its response.
    pub fn is_idle(&self) -> bool {
        self.engine.unanswered().next().is_none()
            && matches!(
                self.engine.send_state(),
                SendState::Idle | SendState::Closed
            )
    }

    /// A head to record the next response into: the buffers of the last
    /// one given back with [`recycle`](Self::recycle), if any.
    pub fn take_head(&mut self) -> ResponseHead {
        std::mem::take(&mut self.spare_head)
    }

    /// Give a head's buffers back once done with it, so the next response
    /// does not allocate them again.
    pub fn recycle(&mut self, mut head: ResponseHead) {
        head.clear();
        self.spare_head = head;
    }

    /// Give back what an idle connection need not hold — the engine's
    /// receive and send buffers, the request recorded for a retry, the
    /// recycled head's storage — so a kept-alive connection waiting in a
    /// pool holds no buffer (see [`Connection::release_buffers`]).
    /// Returns whether it was idle; mid-exchange it changes nothing.
    pub fn release_buffers(&mut self) -> bool {
        if !self.engine.release_buffers() {
            return false;
        }
        self.recipe = Recipe::default();
        self.spare_head = ResponseHead::new();
        true
    }

    /// The next debug line, when debugging is on.
    pub fn poll_debug(&mut self) -> Option<String> {
        self.debug_lines.pop_front()
    }

    // ----- commands ---------------------------------------------------------

    /// The whole request in one call (the engine's `request`), recorded.
    pub fn request<N: AsRef<[u8]>, V: AsRef<[u8]>>(
        &mut self,
        method: &str,
        target: &str,
        body: Option<&[u8]>,
        headers: &[(N, V)],
    ) -> Result<RequestId, Error> {
        let length = body.map_or(BodyLength::Empty, |b| BodyLength::Known(b.len() as u64));
        if self.forward.is_some() {
            // The proxy's line goes in: step by step.
            let id = self.put_request(method, target, false, false)?;
            for (n, v) in headers {
                self.put_header(n.as_ref(), v.as_ref())?;
            }
            self.end_headers_with(length)?;
            if let Some(b) = body {
                self.send_body(b)?;
            }
            self.finish_body()?;
            return Ok(id);
        }
        // The engine's one-call head (checked and written in one pass).
        let id = self.engine.request(method, target, body, headers)?;
        let r = &mut self.recipe;
        r.start(method, target, false, false);
        for (n, v) in headers {
            r.header(n.as_ref(), v.as_ref());
        }
        r.framing = Some(length);
        r.ended = true;
        r.finished = true;
        if let Some(b) = body {
            r.body(b);
        }
        Ok(id)
    }

    /// Start a request (httplib's `putrequest`).
    pub fn put_request(
        &mut self,
        method: &str,
        target: &str,
        skip_host: bool,
        skip_accept_encoding: bool,
    ) -> Result<RequestId, Error> {
        let absolute;
        let sent = match &self.forward {
            Some(f) => {
                absolute = f.target(target);
                &absolute
            }
            None => target,
        };
        let id = self
            .engine
            .put_request(method, sent, skip_host, skip_accept_encoding)?;
        if let Some(auth) = self.forward.as_ref().and_then(Forward::authorization) {
            self.engine.put_header("Proxy-Authorization", auth)?;
        }
        self.recipe
            .start(method, target, skip_host, skip_accept_encoding);
        Ok(id)
    }

    /// Add a header (httplib's `putheader`).
    pub fn put_header(&mut self, name: &[u8], value: &[u8]) -> Result<(), Error> {
        self.engine.put_header(name, value)?;
        self.recipe.header(name, value);
        Ok(())
    }

    /// End the head (httplib's `endheaders`); the body is framed by the
    /// headers put.
    pub fn end_headers(&mut self) -> Result<(), Error> {
        self.engine.end_headers()?;
        self.recipe.ended = true;
        self.recipe.framing = None;
        Ok(())
    }

    /// End the head, adding the framing header `body` calls for.
    pub fn end_headers_with(&mut self, body: BodyLength) -> Result<(), Error> {
        self.engine.end_headers_with(body)?;
        self.recipe.ended = true;
        self.recipe.framing = Some(body);
        Ok(())
    }

    /// Body bytes (httplib's `send`).
    pub fn send_body(&mut self, data: &[u8]) -> Result<(), Error> {
        self.engine.send_body(data)?;
        self.recipe.body(data);
        Ok(())
    }

    /// Body bytes that come from a stream: the request can no longer be
    /// sent again (its body is not kept).
    pub fn send_streamed(&mut self, data: &[u8]) -> Result<(), Error> {
        self.engine.send_body(data)?;
        self.recipe.replayable = false;
        Ok(())
    }

    /// [`send_streamed`](Self::send_streamed) without a copy: the bytes
    /// are queued as they are (a reader's buffer, frozen, goes to the
    /// socket as it is).
    pub fn send_streamed_bytes(&mut self, data: Bytes) -> Result<(), Error> {
        self.engine.send_body_bytes(data)?;
        self.recipe.replayable = false;
        Ok(())
    }

    /// End the body (the last chunk of a chunked one).
    pub fn finish_body(&mut self) -> Result<(), Error> {
        self.engine.finish_body()?;
        self.recipe.finished = true;
        Ok(())
    }

    /// Before waiting for a response (httplib's `getresponse`): a request
    /// must be outstanding; a body left open is ended.
    pub fn prepare_response(&mut self) -> Result<(), Error> {
        self.engine.check_response_ready()?;
        if self.engine.send_state() == SendState::Body {
            self.finish_body()?;
        }
        Ok(())
    }

    // ----- transmit and timers ---------------------------------------------

    /// The next bytes to write. `now` gives the time they are handed out
    /// at; it is called only when that matters (a head with `Expect:
    /// 100-continue` going out starts the wait for the interim answer), so
    /// an adapter passes its clock (`Instant::now`) and a request without
    /// that wait reads no time.
    pub fn poll_transmit(&mut self, now: impl FnOnce() -> Instant) -> Option<Bytes> {
        let b = self.engine.poll_transmit()?;
        if self.debug {
            self.debug_lines
                .push_back(format!("send: b{}", httpcore::Escaped(&b)));
        }
        self.note_transmit(now);
        Some(b)
    }

    /// Append every byte waiting to be written to `out` (one copy, for
    /// adapters with a write buffer of their own); `now` as for
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn transmit_into(&mut self, out: &mut Vec<u8>, now: impl FnOnce() -> Instant) {
        let from = out.len();
        self.engine.transmit_into(out);
        if out.len() > from {
            if self.debug {
                self.debug_lines
                    .push_back(format!("send: b{}", httpcore::Escaped(&out[from..])));
            }
            self.note_transmit(now);
        }
    }

    fn note_transmit(&mut self, now: impl FnOnce() -> Instant) {
        self.continue_since = match self.engine.timer() {
            Some(_) => Some(self.continue_since.unwrap_or_else(now)),
            None => None,
        };
    }

    /// When the layer next needs [`handle_timeout`](Self::handle_timeout):
    /// the end of a 100-continue wait. `None`: no timer runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.continue_since, self.engine.timer()) {
            (Some(since), Some(Timer::ExpectContinue(wait))) => {
                Some(crate::deadline::later(since, wait))
            }
            _ => None,
        }
    }

    /// The time is `now`: a 100-continue wait that ran out sends the body
    /// (there is then something to transmit).
    pub fn handle_timeout(&mut self, now: Instant) {
        if let (Some(at), Some(timer)) = (self.poll_timeout(), self.engine.timer()) {
            if at <= now {
                self.engine.handle_timeout(timer);
                self.continue_since = None;
            }
        }
    }

    // ----- receive ----------------------------------------------------------

    /// Space to read into (the one copy from the transport).
    pub fn begin_recv(&mut self) -> &mut [u8] {
        self.engine.begin_recv()
    }

    /// A read wrote `n` bytes into [`begin_recv`](Self::begin_recv), `0`
    /// meaning the stream ended.
    pub fn handle_read(&mut self, n: usize) {
        self.engine.handle_read(n)
    }

    /// `n` bytes were written into [`begin_recv`](Self::begin_recv).
    pub fn handle_recv(&mut self, n: usize) {
        self.engine.handle_recv(n)
    }

    /// The server closed its side.
    pub fn handle_eof(&mut self) {
        self.engine.handle_eof()
    }

    /// The stream ended without TLS `close_notify` (see
    /// [`Connection::handle_truncated_eof`]): a body delimited by the close
    /// becomes [`httpcore::Error::TruncatedBody`].
    pub fn handle_truncated_eof(&mut self) {
        self.engine.handle_truncated_eof()
    }

    /// Writing failed: nothing more can be sent on this connection.
    pub fn handle_write_error(&mut self) {
        self.engine.handle_write_error()
    }

    /// The final head of the response being awaited, into `head`: interim
    /// 1xx heads are skipped (each recorded, then replaced; each a debug
    /// line). `Ok(None)`: more bytes are needed — or, when
    /// [`Connection::wants_write`] says so, a `100 Continue` released the
    /// body, to be written first.
    pub fn poll_head(&mut self, head: &mut ResponseHead) -> Result<Option<Framing>, Error> {
        loop {
            let Some(h) = self.engine.poll_head()? else {
                return Ok(None);
            };
            head.record_head(&h);
            let framing = h.framing;
            if self.debug {
                self.debug_head(head);
            }
            if framing != Framing::Interim {
                return Ok(Some(framing));
            }
            if self.engine.wants_write() {
                return Ok(None);
            }
        }
    }

    fn debug_head(&mut self, head: &ResponseHead) {
        self.debug_lines.push_back(format!(
            "reply: '{} {} {}\\r\\n'",
            head.version().as_str(),
            head.status(),
            String::from_utf8_lossy(head.reason())
        ));
        for (n, v) in head.headers() {
            self.debug_lines.push_back(format!(
                "header: {}: {}",
                String::from_utf8_lossy(n),
                String::from_utf8_lossy(v)
            ));
        }
    }

    /// The next piece of the body being read; trailer fields go to
    /// `trailers` as they come.
    pub fn poll_body(&mut self, trailers: &mut impl Trailers) -> Result<BodyStep, Error> {
        // Body bytes straight from the engine, not wrapped in an event and
        // taken out again (see `Connection::poll_body_chunk`).
        if let Some(b) = self.engine.poll_body_chunk() {
            return Ok(BodyStep::Chunk(b));
        }
        loop {
            match self.engine.poll_event()? {
                Some(Event::BodyChunk(b)) => return Ok(BodyStep::Chunk(b)),
                Some(Event::Trailer(h)) => trailers.trailer(h.name, h.value),
                Some(Event::Done(_)) => {
                    self.served += 1;
                    return Ok(BodyStep::Done);
                }
                // Head events were taken whole by `poll_head`.
                Some(_) => {}
                None => return Ok(BodyStep::NeedData),
            }
        }
    }

    /// After a `101` (or a CONNECT answered 2xx) was read: the exchange's
    /// end taken, `Ok` when the stream now belongs to the caller
    /// ([`Connection::take_leftover`] gives the bytes that came behind the
    /// head); `NotConnected` when no switch was answered.
    pub fn check_switched(&mut self) -> Result<(), Error> {
        while self.engine.poll_event()?.is_some() {}
        if self.engine.recv_state() != httpcore::RecvStateKind::Switched {
            return Err(httpcore::Error::NotConnected {
                reason: "no protocol switch was answered on this connection",
            }
            .into());
        }
        Ok(())
    }

    /// Whether nothing more can go on this connection and nothing more is
    /// due on it: the transport can be closed now.
    pub fn is_finished(&self) -> bool {
        !self.engine.is_reusable() && self.engine.unanswered().next().is_none()
    }

    // ----- retries ------------------------------------------------------------

    /// The connection failed with `error` while the recorded request was
    /// under way: `Ok(())` means open a new connection, call
    /// [`reconnected`](Self::reconnected) and [`replay`](Self::replay)
    /// (see [`crate::retry`] for when); `Err` is the error to return —
    /// [`Error::MaybeProcessed`] for a request that could have been acted on.
    pub fn recover(&mut self, error: Error) -> Result<(), Error> {
        if self.engine.unanswered().nth(1).is_some() {
            // Pipelined: only the latest request was recorded.
            return Err(error);
        }
        let safety = self.engine.retry_safety();
        match decide(self.retries, error, safety, self.served, &self.recipe) {
            Decision::Retry => Ok(()),
            Decision::Fail(e) => Err(e),
        }
    }

    /// Build the recorded request again (on the new connection).
    pub fn replay(&mut self) -> Result<RequestId, Error> {
        let r = std::mem::take(&mut self.recipe);
        let id = self.put_request(&r.method, &r.target, r.skip_host, r.skip_accept_encoding)?;
        for (n, v) in r.headers() {
            self.put_header(n, v)?;
        }
        match r.framing {
            None => self.end_headers()?,
            Some(f) => self.end_headers_with(f)?,
        }
        if !r.body.is_empty() {
            self.send_body(&r.body)?;
        }
        if r.finished {
            self.finish_body()?;
        }
        self.recipe.replayed = true;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn exchange() -> Exchange {
        let config = Config {
            expect_continue_timeout: Duration::from_millis(500),
            ..Config::default()
        };
        Exchange::new(Authority::parse("h", 80).unwrap(), config)
    }

    fn drain(x: &mut Exchange, now: Instant) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = x.poll_transmit(|| now) {
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn the_clock_is_read_only_when_a_continue_wait_starts() {
        let reads = std::cell::Cell::new(0);
        let clock = || {
            reads.set(reads.get() + 1);
            Instant::now()
        };
        let mut x = exchange();
        x.request("POST", "/p", Some(b"body"), &[("A", "b")])
            .unwrap();
        while x.poll_transmit(clock).is_some() {}
        assert_eq!(reads.get(), 0, "no wait, no clock");
        let mut x = exchange();
        x.put_request("PUT", "/u", false, false).unwrap();
        x.put_header(b"Expect", b"100-continue").unwrap();
        x.end_headers_with(BodyLength::Known(4)).unwrap();
        x.send_body(b"data").unwrap();
        let mut out = Vec::new();
        x.transmit_into(&mut out, clock);
        assert!(out.ends_with(b"\r\n\r\n"), "only the head goes");
        assert_eq!(reads.get(), 1, "the wait starts once");
        x.transmit_into(&mut out, clock);
        assert_eq!(reads.get(), 1);
    }

    #[test]
    fn the_continue_wait_runs_from_when_the_head_went_out() {
        let mut x = exchange();
        x.put_request("PUT", "/u", false, false).unwrap();
        x.put_header(b"Expect", b"100-continue").unwrap();
        x.end_headers_with(BodyLength::Known(4)).unwrap();
        x.send_body(b"data").unwrap();
        assert_eq!(x.poll_timeout(), None, "nothing went out yet");
        let t0 = Instant::now();
        let head = drain(&mut x, t0);
        assert!(head.ends_with(b"\r\n\r\n"), "only the head goes");
        assert_eq!(x.poll_timeout(), Some(t0 + Duration::from_millis(500)));
        // Early: nothing happens.
        x.handle_timeout(t0 + Duration::from_millis(499));
        assert_eq!(drain(&mut x, t0), b"");
        // Due: the body goes, and no timer is left.
        x.handle_timeout(t0 + Duration::from_millis(500));
        assert_eq!(drain(&mut x, t0), b"data");
        assert_eq!(x.poll_timeout(), None);
    }

    #[test]
    fn a_100_continue_releases_the_body_and_stops_the_timer() {
        let mut x = exchange();
        x.put_request("PUT", "/u", false, false).unwrap();
        x.put_header(b"Expect", b"100-continue").unwrap();
        x.end_headers_with(BodyLength::Known(2)).unwrap();
        x.send_body(b"ab").unwrap();
        drain(&mut x, Instant::now());
        let answer = b"HTTP/1.1 100 Continue\r\n\r\n";
        x.begin_recv()[..answer.len()].copy_from_slice(answer);
        x.handle_recv(answer.len());
        let mut head = ResponseHead::new();
        assert_eq!(x.poll_head(&mut head).unwrap(), None);
        assert!(x.engine().wants_write(), "the body is released");
        assert_eq!(x.poll_timeout(), None);
        assert_eq!(drain(&mut x, Instant::now()), b"ab");
    }

    #[test]
    fn a_forward_proxy_gets_absolute_form_and_its_credentials_but_the_recipe_does_not() {
        let proxy = crate::Proxy::parse("http://u:p@proxy:3128").unwrap();
        let origin = Authority::parse("origin:8080", 80).unwrap();
        let mut x = Exchange::new(origin.clone(), Config::default());
        let crate::Route::Forward(f) = proxy.route(&origin, false) else {
            panic!()
        };
        x.set_forward(Some(f));
        x.request("GET", "/a", None, &[("X", "1")]).unwrap();
        let sent = String::from_utf8(drain(&mut x, Instant::now())).unwrap();
        assert!(
            sent.starts_with(
                "GET http://origin:8080/a HTTP/1.1\r\nHost: origin:8080\r\nAccept-Encoding: identity\r\nProxy-Authorization: Basic dTpw\r\nX: 1\r\n"
            ),
            "{sent}"
        );
        // Replayed on a new connection: the same bytes, credentials once.
        x.reconnected(origin);
        x.replay().unwrap();
        let again = String::from_utf8(drain(&mut x, Instant::now())).unwrap();
        assert_eq!(again, sent);
    }

    #[test]
    fn interim_heads_are_skipped_and_trailers_collected_once() {
        let mut x = exchange();
        x.set_debug(true);
        x.request("GET", "/", None, &[] as &[(&str, &str)]).unwrap();
        drain(&mut x, Instant::now());
        let answer = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 1\r\n\r\n";
        x.begin_recv()[..answer.len()].copy_from_slice(answer);
        x.handle_recv(answer.len());
        let mut head = ResponseHead::new();
        assert_eq!(x.poll_head(&mut head).unwrap(), Some(Framing::Chunked));
        assert_eq!((head.status(), head.header_text("link")), (200, None));
        assert_eq!(
            x.poll_body(&mut head).unwrap(),
            BodyStep::Chunk(Bytes::from_static(b"hi"))
        );
        assert_eq!(x.poll_body(&mut head).unwrap(), BodyStep::Done);
        assert_eq!(
            head.trailers().collect::<Vec<_>>(),
            [(&b"X-Sum"[..], &b"1"[..])]
        );
        assert_eq!(x.served(), 1);
        let lines: Vec<String> = std::iter::from_fn(|| x.poll_debug()).collect();
        assert!(
            lines[0].starts_with("send: b\"GET / HTTP/1.1\\r\\n"),
            "{lines:?}"
        );
        assert!(lines.contains(&"reply: 'HTTP/1.1 103 Early Hints\\r\\n'".to_string()));
        assert!(lines.contains(&"reply: 'HTTP/1.1 200 OK\\r\\n'".to_string()));
    }
}
