//! Redirects, sans-IO: whether a response is followed, where to, with which
//! method and body, and which credentials stay behind (RFC 9110 §15.4).
//!
//! * 301, 302, 303: the next request is a GET without a body (a HEAD stays
//!   a HEAD) — what browsers, curl and the anchors do for 301/302, and what
//!   §15.4.4 says for 303;
//! * 307, 308: the same method and body, when the body can be sent again;
//!   otherwise the 3xx response is the answer;
//! * `Authorization`, `Cookie` and `Proxy-Authorization` are not sent to
//!   another origin (scheme, host, port);
//! * `https` to `http` is refused unless allowed;
//! * a URL seen before in the chain, or more hops than allowed, is an
//!   error naming the chain.

use std::borrow::Cow;

use crate::target::redact;
use crate::Error;

/// How redirects are followed. The default follows none (opt in with
/// [`Redirects::follow`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redirects {
    /// How many redirects one request may follow (0: none).
    pub max: usize,
    /// Follow a redirect from `https://` to `http://` (off: such a
    /// redirect is [`Error::RedirectRefused`]).
    pub allow_https_to_http: bool,
}

impl Redirects {
    /// Follow up to `max` redirects.
    pub fn follow(max: usize) -> Redirects {
        Redirects {
            max,
            allow_https_to_http: false,
        }
    }
}

/// The request a redirect calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The absolute URL to request.
    pub url: String,
    /// The method.
    pub method: String,
    /// Whether the body goes again (307, 308).
    pub keep_body: bool,
    /// The new URL has another origin: leave `Authorization`, `Cookie`
    /// and `Proxy-Authorization` behind.
    pub cross_origin: bool,
}

/// The header fields that never follow a redirect to another origin.
pub const CREDENTIALS: [&str; 3] = ["Authorization", "Cookie", "Proxy-Authorization"];

/// Whether a header field named `name` may go with `hop`'s request.
pub fn keeps_header(hop: &Hop, name: &str) -> bool {
    !hop.cross_origin || !CREDENTIALS.iter().any(|c| c.eq_ignore_ascii_case(name))
}

/// What follows a response with `status` and `location` to `method url`:
/// `Ok(None)` when it is the answer (not a redirect, no `Location`,
/// redirects off, or a 307/308 whose body cannot go again); `Ok(Some(hop))`
/// to follow; an error for a refused hop, a loop or too many. `chain` is
/// every URL requested so far, `url` last.
pub fn next(
    policy: Redirects,
    status: u16,
    method: &str,
    location: Option<&str>,
    url: &str,
    body_replayable: bool,
    chain: &[String],
) -> Result<Option<Hop>, Error> {
    let Some((method, keep_body, location)) =
        followed(policy, status, method, location, body_replayable)
    else {
        return Ok(None);
    };
    hop_to(policy, method.to_string(), keep_body, location, url, chain).map(Some)
}

/// The hop to `location` from `url` for a response that is followed
/// (see [`followed`]): the next request's `method` and whether the body
/// goes with it; an error for a refused hop, a loop or too many. `chain`
/// is every URL requested so far, `url` last.
fn hop_to(
    policy: Redirects,
    method: String,
    keep_body: bool,
    location: &str,
    url: &str,
    chain: &[String],
) -> Result<Hop, Error> {
    let target = resolve(url, location)?;
    // The chain an error names: every URL so far, then the refused one,
    // each without its credentials (a relative redirect keeps the base's).
    let hops = || chain.iter().chain([&target]).map(|u| redact(u)).collect();
    if chain.contains(&target) {
        return Err(Error::RedirectLoop { chain: hops() });
    }
    if chain.len() > policy.max {
        return Err(Error::TooManyRedirects {
            limit: policy.max,
            chain: hops(),
        });
    }
    if scheme(url) == "https" && scheme(&target) == "http" && !policy.allow_https_to_http {
        return Err(Error::RedirectRefused {
            from: redact(url),
            to: redact(&target),
            reason: "from https to http",
        });
    }
    Ok(Hop {
        cross_origin: origin(url) != origin(&target),
        url: target,
        method,
        keep_body,
    })
}

/// Whether a response with `status` and `location` to `method` is
/// followed at all (before its target is looked at): the next method,
/// whether the body goes again, and the trimmed location.
fn followed<'m, 'l>(
    policy: Redirects,
    status: u16,
    method: &'m str,
    location: Option<&'l str>,
    body_replayable: bool,
) -> Option<(&'m str, bool, &'l str)> {
    let (method, keep_body) = match status {
        301..=303 if method == "HEAD" => ("HEAD", false),
        301..=303 => ("GET", false),
        307 | 308 if body_replayable => (method, true),
        _ => return None,
    };
    let location = location.map(str::trim).filter(|l| !l.is_empty())?;
    (policy.max > 0).then_some((method, keep_body, location))
}

/// One request's way through its redirects, for a client's request loop:
/// the hop to send now and every URL so far. Credentials, once left behind
/// on another origin, stay behind; a body, once dropped, stays dropped.
#[derive(Debug, Clone)]
pub struct Chain<'a> {
    policy: Redirects,
    /// The first request, as the caller gave it (borrowed: a request that
    /// is not redirected allocates nothing here).
    method: Cow<'a, str>,
    url: Cow<'a, str>,
    /// The current hop, once a redirect was followed.
    hop: Option<Hop>,
    /// Every URL requested so far, the current one last, once a redirect
    /// was followed (empty before).
    urls: Vec<String>,
}

impl<'a> Chain<'a> {
    /// A request `method url`, following redirects as `policy` says.
    pub fn new(
        policy: Redirects,
        method: impl Into<Cow<'a, str>>,
        url: impl Into<Cow<'a, str>>,
    ) -> Chain<'a> {
        Chain {
            policy,
            method: method.into(),
            url: url.into(),
            hop: None,
            urls: Vec::new(),
        }
    }

    /// The method of the request to send now.
    pub fn method(&self) -> &str {
        self.hop.as_ref().map_or(&self.method, |h| &h.method)
    }

    /// The absolute URL of the request to send now.
    pub fn url(&self) -> &str {
        self.hop.as_ref().map_or(&self.url, |h| &h.url)
    }

    /// Whether the request's body goes with the request to send now
    /// (dropped by a 301, 302 or 303 on the way).
    pub fn keep_body(&self) -> bool {
        self.hop.as_ref().is_none_or(|h| h.keep_body)
    }

    /// The URL requested before the current one, once a redirect was
    /// followed.
    pub fn previous_url(&self) -> Option<&str> {
        let n = self.urls.len();
        (n >= 2).then(|| self.urls[n - 2].as_str())
    }

    /// Every URL requested so far, the current one last.
    pub fn urls(&self) -> Vec<&str> {
        if self.urls.is_empty() {
            return vec![&self.url];
        }
        self.urls.iter().map(String::as_str).collect()
    }

    /// The current hop was answered `status` with `location`: `Ok(true)`
    /// when the chain moved on to the next hop (read it with
    /// [`method`](Self::method), [`url`](Self::url) and
    /// [`keep_body`](Self::keep_body)), `Ok(false)` when the response is
    /// the answer, an error for a refused hop, a loop or too many (see
    /// [`next`]).
    pub fn follow(
        &mut self,
        status: u16,
        location: Option<&str>,
        body_replayable: bool,
    ) -> Result<bool, Error> {
        // A body already dropped has nothing to send again.
        let replayable = body_replayable || !self.keep_body();
        let Some((method, keep_body, location)) =
            followed(self.policy, status, self.method(), location, replayable)
        else {
            return Ok(false);
        };
        let method = method.to_string();
        if self.urls.is_empty() {
            self.urls.push(self.url.to_string());
        }
        let mut next = hop_to(
            self.policy,
            method,
            keep_body,
            location,
            self.url(),
            &self.urls,
        )?;
        if let Some(hop) = &self.hop {
            next.cross_origin |= hop.cross_origin;
            next.keep_body &= hop.keep_body;
        }
        self.urls.push(next.url.clone());
        self.hop = Some(next);
        Ok(true)
    }

    /// Whether a header field named `name` goes with the current hop.
    pub fn keeps_header(&self, name: &str) -> bool {
        self.hop.as_ref().is_none_or(|h| keeps_header(h, name))
    }
}

/// `location` resolved against the absolute `base`: see
/// [`crate::target::join`] (the `url` crate's join; only `http` and
/// `https` are followed, the fragment is dropped).
pub fn resolve(base: &str, location: &str) -> Result<String, Error> {
    crate::target::join(base, location)
}

fn scheme(url: &str) -> String {
    url.split_once("://")
        .map_or(String::new(), |(s, _)| s.to_ascii_lowercase())
}

fn origin(url: &str) -> String {
    crate::target::origin(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_keeps_credentials_and_bodies_left_behind() {
        let mut c = Chain::new(Redirects::follow(5), "POST", "http://a.example/1");
        // The first request, as given.
        assert_eq!(
            (c.method(), c.url(), c.keep_body()),
            ("POST", "http://a.example/1", true)
        );
        assert_eq!(
            (c.urls(), c.previous_url()),
            (vec!["http://a.example/1"], None)
        );
        assert!(c.keeps_header("Authorization"));
        assert!(!c.follow(200, None, true).unwrap());
        assert!(!c.follow(302, None, true).unwrap(), "no Location");
        assert_eq!(c.urls().len(), 1);
        // 307 to another origin: method and body kept, credentials not.
        assert!(c.follow(307, Some("http://b.example/2"), true).unwrap());
        assert_eq!((c.method(), c.keep_body()), ("POST", true));
        assert_eq!(c.previous_url(), Some("http://a.example/1"));
        assert!(!c.keeps_header("authorization") && c.keeps_header("accept"));
        // Back to the first origin: the credentials stay behind.
        assert!(c.follow(302, Some("http://a.example/3"), true).unwrap());
        assert_eq!((c.method(), c.keep_body()), ("GET", false));
        assert!(!c.keeps_header("Cookie"));
        // A 307 after the body was dropped is followed without one.
        assert!(c.follow(307, Some("/4"), false).unwrap());
        assert!(!c.keep_body());
        assert_eq!(c.urls().len(), 4);
        assert_eq!(c.previous_url(), Some("http://a.example/3"));
        // Not a redirect: the answer.
        assert!(!c.follow(200, Some("/5"), true).unwrap());
        assert_eq!(c.url(), "http://a.example/4");
        // A 307 whose body cannot go again is the answer too.
        let mut c = Chain::new(Redirects::follow(5), "PUT", "http://a.example/1");
        assert!(!c.follow(307, Some("/2"), false).unwrap());
    }

    #[test]
    fn resolve_is_the_url_crates_join() {
        // The table of references is `target::tests`; here, that resolve
        // is that join, and bases without a path.
        assert_eq!(resolve("http://h", "x").unwrap(), "http://h/x");
        assert_eq!(resolve("http://h?q", "x").unwrap(), "http://h/x");
        assert_eq!(
            resolve("http://h/a/b", "../c").unwrap(),
            crate::target::join("http://h/a/b", "../c").unwrap()
        );
        assert_eq!(
            resolve("http://h/", "ftp://x/").unwrap_err().name(),
            "InvalidURL"
        );
    }

    fn hop(status: u16, method: &str, location: &str, url: &str) -> Result<Option<Hop>, Error> {
        next(
            Redirects::follow(5),
            status,
            method,
            Some(location),
            url,
            true,
            &[url.to_string()],
        )
    }

    #[test]
    fn methods_bodies_and_credentials_per_status() {
        let u = "http://h/a";
        for (status, method, want_method, keep) in [
            (301, "POST", "GET", false),
            (302, "POST", "GET", false),
            (303, "PUT", "GET", false),
            (302, "HEAD", "HEAD", false),
            (307, "POST", "POST", true),
            (308, "PUT", "PUT", true),
        ] {
            let h = hop(status, method, "/b", u).unwrap().unwrap();
            assert_eq!(
                (h.method.as_str(), h.keep_body),
                (want_method, keep),
                "{status} {method}"
            );
            assert_eq!(h.url, "http://h/b");
            assert!(!h.cross_origin);
            assert!(keeps_header(&h, "Authorization"));
        }
        let h = hop(302, "GET", "http://h:81/b", u).unwrap().unwrap();
        assert!(h.cross_origin, "another port is another origin");
        assert!(!keeps_header(&h, "authorization") && !keeps_header(&h, "COOKIE"));
        assert!(!keeps_header(&h, "Proxy-Authorization") && keeps_header(&h, "Accept"));
        let h = hop(302, "GET", "http://H:80/b", u).unwrap().unwrap();
        assert!(
            !h.cross_origin,
            "case and the default port do not change the origin"
        );
        // Not followed: not a redirect, no Location, redirects off, a body
        // that cannot go again.
        assert_eq!(hop(200, "GET", "/b", u).unwrap(), None);
        assert_eq!(hop(304, "GET", "/b", u).unwrap(), None);
        assert_eq!(
            next(Redirects::follow(5), 302, "GET", None, u, true, &[u.into()]).unwrap(),
            None
        );
        assert_eq!(
            next(
                Redirects::default(),
                302,
                "GET",
                Some("/b"),
                u,
                true,
                &[u.into()]
            )
            .unwrap(),
            None
        );
        assert_eq!(
            next(
                Redirects::follow(5),
                307,
                "POST",
                Some("/b"),
                u,
                false,
                &[u.into()]
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn refused_hops_loops_and_too_many_are_errors_naming_the_chain() {
        let e = hop(302, "GET", "http://h/x", "https://h/a").unwrap_err();
        assert_eq!(e.name(), "RedirectRefused");
        let allowed = Redirects {
            max: 5,
            allow_https_to_http: true,
        };
        let h = next(
            allowed,
            302,
            "GET",
            Some("http://h/x"),
            "https://h/a",
            true,
            &["https://h/a".into()],
        );
        assert!(h.unwrap().unwrap().cross_origin);
        let chain: Vec<String> = ["http://h/a", "http://h/b"].map(String::from).to_vec();
        let e = next(
            Redirects::follow(5),
            302,
            "GET",
            Some("/a"),
            "http://h/b",
            true,
            &chain,
        )
        .unwrap_err();
        assert_eq!(e.name(), "RedirectLoop");
        assert!(
            e.to_string()
                .contains("http://h/a -> http://h/b -> http://h/a"),
            "{e}"
        );
        let chain: Vec<String> = ["http://h/1", "http://h/2", "http://h/3"]
            .map(String::from)
            .to_vec();
        let e = next(
            Redirects::follow(2),
            302,
            "GET",
            Some("/4"),
            "http://h/3",
            true,
            &chain,
        )
        .unwrap_err();
        assert_eq!(e.name(), "TooManyRedirects");
        assert!(e.to_string().contains("http://h/4"), "{e}");
    }

    #[test]
    fn errors_name_the_chain_without_its_credentials() {
        // A relative redirect keeps the base's credentials in the URL it
        // follows; the error shows neither's. (limit, chain, location,
        // error, what it shows).
        let cases: [(usize, &[&str], &str, &str, &str); 3] = [
            (
                1,
                &["http://u:secret@h/a", "http://u:secret@h/b"],
                "/c",
                "TooManyRedirects",
                "http://***@h/a -> http://***@h/b -> http://***@h/c",
            ),
            (
                5,
                &["https://u:secret@h/a"],
                "http://u:secret@h/b",
                "RedirectRefused",
                "from https://***@h/a to http://***@h/b",
            ),
            (
                5,
                &["http://u:secret@h/a"],
                "/a",
                "RedirectLoop",
                "http://***@h/a -> http://***@h/a",
            ),
        ];
        for (limit, chain, location, name, shown) in cases {
            let chain: Vec<String> = chain.iter().map(|u| u.to_string()).collect();
            let url = chain.last().expect("a chain");
            let e = next(
                Redirects::follow(limit),
                302,
                "GET",
                Some(location),
                url,
                true,
                &chain,
            )
            .unwrap_err();
            assert_eq!(e.name(), name);
            assert!(e.to_string().contains(shown), "{e}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }
}
