//! Every corpus file (the `seed-*` inputs and what the fuzzer grew) and every
//! crash artifact under `fuzz/` replayed through
//! the fuzz harness (`fuzz/src/lib.rs`, included here) on stable, so a
//! crash the fuzzer once found stays fixed without nightly or cargo-fuzz.

mod support;

use support::harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = 0;
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            let result = std::panic::catch_unwind(|| run(&data));
            assert!(result.is_ok(), "{target}: {} fails", path.display());
            files += 1;
        }
    }
    assert!(files > 0, "{target}: no corpus files found");
    eprintln!("{target}: {files} files replayed");
}

#[test]
fn response_stream_corpus() {
    replay("response_stream", harness::response_stream);
}

#[test]
fn differential_corpus() {
    replay("differential", harness::differential);
}

#[test]
fn request_serializer_corpus() {
    replay("request_serializer", harness::request_serializer);
}

#[test]
fn connection_corpus() {
    replay("connection", harness::connection);
}
