//! The conformance corpus end to end: the corpus's own replay server
//! (`serve.py`) on 127.0.0.1, the `fetch` example with `--json` as the
//! client (the same URL twice where the case keeps the connection open, to
//! judge reuse), and the corpus's normative `judge.py` as the judge, in
//! strict and lenient mode, whole and with responses written one byte at a
//! time. Needs `python3` (the corpus tools are stdlib-only Python).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

mod support;
use support::fetch_binary;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../httpcore/tests/data/conformance")
}

struct Replay {
    child: Child,
    port: u16,
}

impl Replay {
    fn start(extra: &[&str]) -> Replay {
        let mut child = Command::new("python3")
            .arg(data_dir().join("serve.py"))
            .args([
                "--port",
                "0",
                "--max-seconds",
                "300",
                "--idle-timeout",
                "20",
                "--drain-seconds",
                "0.5",
                "--log",
                "/dev/null",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs serve.py");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = serde_json::from_str::<Value>(&line).unwrap()["port"]
            .as_u64()
            .unwrap() as u16;
        Replay { child, port }
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn class(name: &str) -> &'static str {
    match name {
        "BadStatusLine" | "RemoteDisconnected" | "UnknownProtocol" => "BadStatusLine",
        "IncompleteRead" => "IncompleteRead",
        "InvalidHeader" => "InvalidHeader",
        "InvalidChunk" => "InvalidChunk",
        "LineTooLong" => "TooLarge",
        "UnknownTransferEncoding" => "UnknownTransferEncoding",
        _ => "ProtocolError",
    }
}

/// fetch's JSON line as judge.py's RESULT.
fn result(line: &Value) -> Value {
    if let Some(err) = line["error"].as_str() {
        if err == "Timeout" {
            return json!({"kind": "timeout"});
        }
        return json!({"kind": "error", "class": class(err), "detail": line["message"]});
    }
    let bytes = |s: &Value| -> Vec<u8> {
        s.as_str()
            .unwrap()
            .chars()
            .map(|c| c as u32 as u8)
            .collect()
    };
    use base64::Engine as _;
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(b);
    let headers: Vec<Value> = line["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| json!([h[0], b64(bytes(&h[1]))]))
        .collect();
    json!({
        "kind": "ok",
        "status": line["status"],
        "reason_b64": b64(bytes(&line["reason"])),
        "version": line["version"],
        "headers_b64": headers,
        "body_b64": line["body_base64"],
    })
}

fn run(extra_server: &[&str], lenient: bool) {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("cases.json")).unwrap())
            .unwrap();
    let server = Replay::start(extra_server);
    let fetch = fetch_binary();
    let mut observations = String::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let method = case["request_method"].as_str().unwrap();
        if method == "CONNECT" {
            continue; // optional in the corpus; fetch does not send CONNECT to an origin
        }
        let url = format!("http://127.0.0.1:{}/case/{id}", server.port);
        let closes = case["server_closes_after"] == true;
        let mut cmd = Command::new(&fetch);
        cmd.args(["--json", "--timeout", "4"]);
        if method == "HEAD" {
            cmd.arg("-I");
        }
        if lenient {
            cmd.arg("--lenient");
        }
        cmd.arg(&url);
        if !closes {
            cmd.args(["--delay", "0.6", &url]);
        }
        let out = cmd.output().unwrap();
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(
            !lines.is_empty(),
            "{id}: fetch printed nothing; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let first = result(&lines[0]);
        let (second, same) = match lines.get(1) {
            Some(l) if first["kind"] == "ok" => (result(l), Value::Bool(l["reused"] == true)),
            _ => (Value::Null, Value::Null),
        };
        let obs =
            json!({"id": id, "first": first, "second": second, "second_same_connection": same});
        observations.push_str(&obs.to_string());
        observations.push('\n');
    }
    let mut judge = Command::new("python3")
        .arg(data_dir().join("judge.py"))
        .arg(data_dir().join("cases.json"))
        .arg("/dev/stdin")
        .args(if lenient {
            &["--mode", "lenient"][..]
        } else {
            &[][..]
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    judge
        .stdin
        .take()
        .unwrap()
        .write_all(observations.as_bytes())
        .unwrap();
    let out = judge.wait_with_output().unwrap();
    let verdicts = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        verdicts.lines().count(),
        observations.lines().count(),
        "judge.py judged every case"
    );
    assert!(observations.lines().count() >= 96, "corpus went missing");
    let bad: Vec<&str> = verdicts
        .lines()
        .filter(|l| !l.contains("\"PASS\"") && !l.contains("\"SOFT\""))
        .collect();
    assert!(
        bad.is_empty(),
        "{} cases failed ({}):\n{}",
        bad.len(),
        String::from_utf8_lossy(&out.stderr).trim(),
        bad.join("\n")
    );
    let soft: Vec<&str> = verdicts
        .lines()
        .filter(|l| l.contains("\"SOFT\""))
        .collect();
    assert!(
        soft.is_empty(),
        "reusable connections not reused:\n{}",
        soft.join("\n")
    );
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
