//! The conformance corpus run against an adapter, shared by the adapters'
//! suites: the corpus's own replay server (`serve.py`) on 127.0.0.1, the
//! adapter as the client (the same request twice where the case keeps the
//! connection open, to judge reuse), and the corpus's normative `judge.py`.
//! Needs `python3` (the corpus tools are stdlib-only Python).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use serde_json::{json, Value};

/// Where the corpus (a copy kept with the engine's tests) lives.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../httpcore/tests/data/conformance")
}

/// The cases of `cases.json`.
pub fn cases() -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(data_dir().join("cases.json")).unwrap()).unwrap()
}

/// `serve.py`, running until dropped.
pub struct Replay {
    child: Child,
    pub port: u16,
}

impl Replay {
    /// Start it with extra options (`--fragment 1`, ...).
    pub fn start(extra: &[&str]) -> Replay {
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

/// What a client made of one response.
#[derive(Debug, Clone)]
pub enum Outcome {
    Ok {
        status: u16,
        reason: Vec<u8>,
        /// `"HTTP/1.1"`, `"HTTP/1.0"` or `"HTTP/0.9"`.
        version: String,
        headers: Vec<(Vec<u8>, Vec<u8>)>,
        body: Vec<u8>,
    },
    /// The error's name (`Error::name()`) and message.
    Err { name: String, message: String },
}

/// The corpus's error class for an error name.
pub fn class(name: &str) -> &'static str {
    match name {
        "BadStatusLine" | "RemoteDisconnected" | "UnknownProtocol" => "BadStatusLine",
        "IncompleteRead" => "IncompleteRead",
        "InvalidHeader" => "InvalidHeader",
        "InvalidChunk" => "InvalidChunk",
        "LineTooLong" | "LimitExceeded" => "TooLarge",
        "UnknownTransferEncoding" => "UnknownTransferEncoding",
        _ => "ProtocolError",
    }
}

/// judge.py's RESULT for an outcome.
pub fn result(o: &Outcome) -> Value {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    match o {
        Outcome::Err { name, .. } if name == "Timeout" => json!({"kind": "timeout"}),
        Outcome::Err { name, message } => {
            json!({"kind": "error", "class": class(name), "detail": message})
        }
        Outcome::Ok {
            status,
            reason,
            version,
            headers,
            body,
        } => json!({
            "kind": "ok",
            "status": status,
            "reason_b64": b64(reason),
            "version": version,
            "headers_b64": headers.iter().map(|(n, v)| json!([String::from_utf8_lossy(n), b64(v)])).collect::<Vec<_>>(),
            "body_b64": b64(body),
        }),
    }
}

/// The first request of a case, and — where the case keeps the connection
/// open and the first was ok — the second, with whether it went on the
/// same connection.
pub type Observation = (Outcome, Option<(Outcome, bool)>);

/// Run every case (but CONNECT) through `client(case, url)` against
/// `serve.py` started with `server_options`, judge in strict or lenient
/// mode, and panic with the failures (SOFT counts as a failure: a reusable
/// connection should be reused).
pub fn run(
    server_options: &[&str],
    lenient: bool,
    mut client: impl FnMut(&Value, &str) -> Observation,
) {
    let server = Replay::start(server_options);
    let mut observations = String::new();
    for case in cases() {
        let id = case["id"].as_str().unwrap();
        if case["request_method"] == "CONNECT" {
            continue; // optional in the corpus
        }
        let url = format!("http://127.0.0.1:{}/case/{id}", server.port);
        let (first, second) = client(&case, &url);
        let (second, same) = match second {
            Some((o, same)) => (result(&o), Value::Bool(same)),
            None => (Value::Null, Value::Null),
        };
        let obs = json!({"id": id, "first": result(&first), "second": second, "second_same_connection": same});
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
        .filter(|l| !l.contains("\"PASS\""))
        .collect();
    assert!(
        bad.is_empty(),
        "{} cases failed ({}):\n{}",
        bad.len(),
        String::from_utf8_lossy(&out.stderr).trim(),
        bad.join("\n")
    );
}
