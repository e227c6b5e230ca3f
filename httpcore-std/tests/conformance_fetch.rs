//! The conformance corpus end to end through the `fetch` example with
//! `--json` (the shared runner in `testkit::conformance`: the corpus's
//! `serve.py` and normative `judge.py`), in strict and lenient mode, whole
//! and with responses written one byte at a time.

use std::process::Command;

use serde_json::Value;
use testkit::conformance::{self, Outcome};

mod support;
use support::fetch_binary;

/// fetch's JSON line as an outcome.
fn outcome(line: &Value) -> Outcome {
    if let Some(name) = line["error"].as_str() {
        return Outcome::Err {
            name: name.to_string(),
            message: line["message"].as_str().unwrap_or("").to_string(),
        };
    }
    use base64::Engine as _;
    let bytes = |s: &Value| -> Vec<u8> {
        s.as_str()
            .unwrap()
            .chars()
            .map(|c| c as u32 as u8)
            .collect()
    };
    Outcome::Ok {
        status: line["status"].as_u64().unwrap() as u16,
        reason: bytes(&line["reason"]),
        version: line["version"].as_str().unwrap().to_string(),
        headers: line["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (bytes(&h[0]), bytes(&h[1])))
            .collect(),
        body: base64::engine::general_purpose::STANDARD
            .decode(line["body_base64"].as_str().unwrap())
            .unwrap(),
    }
}

fn run(server_options: &[&str], lenient: bool) {
    let fetch = fetch_binary();
    conformance::run(server_options, lenient, |case, url| {
        let closes = case["server_closes_after"] == true;
        let mut cmd = Command::new(&fetch);
        cmd.args(["--json", "--timeout", "4"]);
        if case["request_method"] == "HEAD" {
            cmd.arg("-I");
        }
        if lenient {
            cmd.arg("--lenient");
        }
        cmd.arg(url);
        if !closes {
            cmd.args(["--delay", "0.6", url]);
        }
        let out = cmd.output().unwrap();
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            !lines.is_empty(),
            "{url}: fetch printed nothing; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let first = outcome(&lines[0]);
        let second = match (&first, lines.get(1)) {
            (Outcome::Ok { .. }, Some(l)) => Some((outcome(l), l["reused"] == true)),
            _ => None,
        };
        (first, second)
    });
}

#[test]
fn corpus_through_fetch_strict() {
    run(&[], false);
}

#[test]
fn corpus_through_fetch_lenient() {
    run(&[], true);
}

#[test]
fn corpus_through_fetch_one_byte_at_a_time() {
    run(&["--fragment", "1", "--delay", "0.0005"], false);
}
