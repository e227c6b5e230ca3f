//! The response conformance corpus (`tests/data/conformance/cases.json`,
//! with the rules of its `judge.py` ported below) run against the engine in
//! strict and lenient mode, fed whole, one byte at a time and in random
//! splits: every case must pass, and the verdict must not depend on the split.

mod support;

use base64::Engine as _;
use httpcore::{Config, Error, Version};
use serde_json::Value;
use support::harness::trim;
use support::{connection, drain, Ev, Rng};

const DEFAULT_FOLLOWUP: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nX-Conformance: followup\r\n\r\nfollowup";

fn b64(v: &Value) -> Vec<u8> {
    v.as_str()
        .map(|s| base64::engine::general_purpose::STANDARD.decode(s).unwrap())
        .unwrap_or_default()
}

/// What the client reported for one request, as judge.py's RESULT.
#[derive(Debug, Clone)]
enum Res {
    Ok {
        status: u16,
        reason: Vec<u8>,
        version: Version,
        headers: Vec<(Vec<u8>, Vec<u8>)>,
        body: Vec<u8>,
    },
    Err(&'static str, String),
    Hang,
}

fn class(e: &Error) -> &'static str {
    match e {
        Error::BadStatusLine { .. }
        | Error::RemoteDisconnected { .. }
        | Error::UnknownProtocol { .. } => "BadStatusLine",
        Error::IncompleteRead { .. } => "IncompleteRead",
        Error::InvalidHeader { .. } => "InvalidHeader",
        Error::InvalidChunk { .. } => "InvalidChunk",
        Error::LineTooLong { .. } | Error::LimitExceeded { .. } => "TooLarge",
        Error::UnknownTransferEncoding { .. } => "UnknownTransferEncoding",
        _ => "ProtocolError",
    }
}

fn to_result(events: &[Ev], error: &Option<Error>) -> Res {
    if let Some(e) = error {
        return Res::Err(class(e), e.to_string());
    }
    if !events.iter().any(|e| matches!(e, Ev::Done(_))) {
        return Res::Hang;
    }
    let start = events
        .iter()
        .rposition(|e| matches!(e, Ev::Status(..)))
        .unwrap();
    let Ev::Status(version, status, reason) = events[start].clone() else {
        unreachable!()
    };
    let mut headers = Vec::new();
    let mut body = Vec::new();
    for e in &events[start..] {
        match e {
            Ev::Header(n, v) => headers.push((n.clone(), v.clone())),
            Ev::Body(b) => body.extend_from_slice(b),
            _ => {}
        }
    }
    Res::Ok {
        status,
        reason,
        version,
        headers,
        body,
    }
}

fn collapse(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in trim(v) {
        let ws = b == b' ' || b == b'\t';
        if ws && out.last() == Some(&b' ') {
            continue;
        }
        out.push(if ws { b' ' } else { b });
    }
    out
}

/// judge.py's `match`: `None` when `r` satisfies expectation `e`.
fn matches(e: &Value, r: &Res) -> Option<String> {
    if e["kind"] == "error" {
        return match r {
            Res::Err(c, _) if *c == e["class"] => None,
            Res::Err(c, detail) => Some(format!("CLASS:{c} ({detail})")),
            other => Some(format!("expected error {}, got {other:?}", e["class"])),
        };
    }
    let Res::Ok {
        status,
        reason,
        version,
        headers,
        body,
    } = r
    else {
        return Some(format!("expected ok, got {r:?}"));
    };
    if e["status"].as_u64() != Some(u64::from(*status)) {
        return Some(format!("status {status} != {}", e["status"]));
    }
    if !e["reason_b64"].is_null() {
        if trim(&b64(&e["reason_b64"])) != trim(reason) {
            return Some("reason bytes differ".into());
        }
    } else if let Some(want) = e["reason"].as_str() {
        if trim(want.as_bytes()) != trim(reason) {
            return Some(format!(
                "reason {:?} != {want:?}",
                String::from_utf8_lossy(reason)
            ));
        }
    }
    if let Some(v) = e["version"].as_str() {
        if v != version.as_str() {
            return Some(format!("version {} != {v}", version.as_str()));
        }
    }
    if b64(&e["body_b64"]) != *body {
        return Some(format!(
            "body differs: got {:?}",
            String::from_utf8_lossy(body)
        ));
    }
    let collapse_ws = e["header_compare"] == "collapse-ws";
    let norm = |v: &[u8]| {
        if collapse_ws {
            collapse(v)
        } else {
            trim(v).to_vec()
        }
    };
    let mut expected: Vec<(String, Vec<u8>)> = Vec::new();
    for h in e["headers"].as_array().into_iter().flatten() {
        let v: Vec<u8> = h[1]
            .as_str()
            .unwrap()
            .chars()
            .map(|c| c as u32 as u8)
            .collect();
        expected.push((h[0].as_str().unwrap().to_ascii_lowercase(), v));
    }
    for h in e["headers_b64"].as_array().into_iter().flatten() {
        expected.push((h[0].as_str().unwrap().to_ascii_lowercase(), b64(&h[1])));
    }
    let mut names: Vec<&String> = Vec::new();
    for (n, _) in &expected {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    for n in names {
        let want: Vec<Vec<u8>> = expected
            .iter()
            .filter(|(m, _)| m == n)
            .map(|(_, v)| norm(v))
            .collect();
        let got: Vec<Vec<u8>> = headers
            .iter()
            .filter(|(m, _)| m.eq_ignore_ascii_case(n.as_bytes()))
            .map(|(_, v)| norm(v))
            .collect();
        if got.is_empty() {
            return Some(format!("header {n} missing"));
        }
        if got != want
            && !(got.len() == 1 && got[0] == want.join(&b", "[..]))
            && !(want.len() == 1 && got.contains(&want[0]))
        {
            return Some(format!("header {n} values {got:?} != {want:?}"));
        }
    }
    for n in e["headers_absent"].as_array().into_iter().flatten() {
        if headers
            .iter()
            .any(|(m, _)| m.eq_ignore_ascii_case(n.as_str().unwrap().as_bytes()))
        {
            return Some(format!("header {n} must be absent"));
        }
    }
    None
}

/// judge.py's `judge`: `Ok(verdict)` for PASS / SOFT, `Err(why)` otherwise.
fn judge(
    case: &Value,
    first: &Res,
    second: Option<&Res>,
    same: Option<bool>,
    lenient: bool,
) -> Result<&'static str, String> {
    if matches!(first, Res::Hang) {
        return Err("client hung".into());
    }
    let mut cands = vec![&case["expect"]];
    for alt in case["also_ok"].as_array().into_iter().flatten() {
        if lenient || alt["lenient_only"] != true {
            cands.push(alt);
        }
    }
    let mut misses = Vec::new();
    let matched = cands.iter().find(|e| match matches(e, first) {
        None => true,
        Some(why) => {
            misses.push(why);
            false
        }
    });
    let Some(e) = matched else {
        return Err(format!("no expectation matched: {misses:?}; got {first:?}"));
    };
    if case["server_closes_after"] == true {
        return Ok("PASS");
    }
    if e["kind"] != "ok" {
        return if same == Some(true) {
            Err("reused after an error".into())
        } else {
            Ok("PASS")
        };
    }
    let reusable = e["reusable"] == true;
    match (same, reusable) {
        (Some(true), false) => Err("reused a connection that must not be reused".into()),
        (Some(false) | None, true) => Ok("SOFT"),
        (Some(true), true) => {
            let fe = if case["followup_expect"].is_null() {
                let body = if case["request_method"] == "HEAD" {
                    ""
                } else {
                    "Zm9sbG93dXA="
                };
                serde_json::json!({"kind": "ok", "status": 200, "reason": "OK", "version": "HTTP/1.1",
                    "headers": [["X-Conformance", "followup"]], "body_b64": body})
            } else {
                case["followup_expect"].clone()
            };
            match matches(&fe, second.unwrap_or(&Res::Hang)) {
                None => Ok("PASS"),
                Some(why) => Err(format!("second response: {why}")),
            }
        }
        _ => Ok("PASS"),
    }
}

/// Run one case with `cuts` applied to the first response.
fn run_case(case: &Value, config: &Config, cuts: &[usize]) -> (Res, Option<Res>, Option<bool>) {
    let method = case["request_method"].as_str().unwrap();
    let input = b64(&case["response_b64"]);
    let closes = case["server_closes_after"] == true;
    let mut conn = connection(method, config.clone());
    let mut events = Vec::new();
    let mut error = None;
    let mut last = 0;
    for &c in cuts.iter().chain(std::iter::once(&input.len())) {
        conn.handle_data(&input[last..c.max(last)]);
        last = c.max(last);
        if !drain(&mut conn, &mut events, &mut error) {
            break;
        }
    }
    if closes && error.is_none() {
        conn.handle_eof();
        drain(&mut conn, &mut events, &mut error);
    }
    let first = to_result(&events, &error);
    if closes || !matches!(first, Res::Ok { .. }) {
        return (first, None, if closes { None } else { Some(false) });
    }
    if !case["late_b64"].is_null() {
        conn.handle_data(&b64(&case["late_b64"]));
        drain(&mut conn, &mut events, &mut error);
    }
    if !conn.is_reusable() {
        return (first, None, Some(false));
    }
    // Reuse: a second request on the same connection.
    conn.request(method, "/", None, &[] as &[(&str, &str)])
        .unwrap();
    while conn.poll_transmit().is_some() {}
    let followup = if case["followup_b64"].is_null() {
        if method == "HEAD" {
            DEFAULT_FOLLOWUP[..DEFAULT_FOLLOWUP.len() - 8].to_vec()
        } else {
            DEFAULT_FOLLOWUP.to_vec()
        }
    } else {
        b64(&case["followup_b64"])
    };
    let mut events2 = Vec::new();
    let mut error2 = None;
    conn.handle_data(&followup);
    drain(&mut conn, &mut events2, &mut error2);
    (first, Some(to_result(&events2, &error2)), Some(true))
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/conformance/cases.json"
    ))
    .unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn run_mode(lenient: bool) {
    let config = if lenient {
        Config::lenient()
    } else {
        Config::strict()
    };
    let mut failures = Vec::new();
    let mut soft = Vec::new();
    let all = cases();
    assert!(all.len() >= 97, "corpus went missing");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in &all {
        let id = case["id"].as_str().unwrap();
        let len = b64(&case["response_b64"]).len();
        let mut splits: Vec<(String, Vec<usize>)> = vec![("whole".into(), vec![])];
        if len < 20_000 {
            splits.push(("bytewise".into(), (1..len).collect()));
        }
        for i in 0..6 {
            splits.push((format!("random{i}"), rng.cuts(len, 1 + i * 3)));
        }
        let mut verdicts = Vec::new();
        for (name, cuts) in &splits {
            let (first, second, same) = run_case(case, &config, cuts);
            match judge(case, &first, second.as_ref(), same, lenient) {
                Ok(v) => verdicts.push(v),
                Err(why) => {
                    failures.push(format!("{id} [{name}]: {why}"));
                    break;
                }
            }
        }
        if verdicts.windows(2).any(|w| w[0] != w[1]) {
            failures.push(format!("{id}: verdict depends on the split: {verdicts:?}"));
        }
        if verdicts.first() == Some(&"SOFT") {
            soft.push(id.to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // A reusable connection left unused would be a missed optimisation.
    assert!(soft.is_empty(), "SOFT verdicts: {soft:?}");
}

#[test]
fn conformance_strict() {
    run_mode(false);
}

#[test]
fn conformance_lenient() {
    run_mode(true);
}
