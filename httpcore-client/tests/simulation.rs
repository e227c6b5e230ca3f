//! The client layer in a simulated world (`httpcore_client::sim`): many seeds,
//! each a few thousand steps of requests, bytes in pieces, closes, resets,
//! clock jumps and cancellations, every invariant checked at every step.
//! `HTTPCORE_SIM_SEEDS` runs more seeds (a seed in a failure message
//! reproduces it with `HTTPCORE_SIM_SEED`).

use httpcore_client::sim::{Choices, Rng, Sim, Tally};

fn run_seed(seed: u64) -> Tally {
    let per_host = 1 + (seed % 3) as usize;
    let result =
        std::panic::catch_unwind(|| Sim::new(Choices::Seeded(Rng::new(seed)), per_host).run(3000));
    match result {
        Ok(t) => t,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("seed {seed}: {msg} (reproduce with HTTPCORE_SIM_SEED={seed})");
        }
    }
}

#[test]
fn the_client_layer_keeps_its_promises_in_a_simulated_world() {
    if let Some(seed) = std::env::var("HTTPCORE_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        println!("{:?}", run_seed(seed));
        return;
    }
    let seeds: u64 = std::env::var("HTTPCORE_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let mut total = Tally::default();
    for seed in 0..seeds {
        let t = run_seed(seed);
        total.steps += t.steps;
        total.requests += t.requests;
        total.ok += t.ok;
        total.failed += t.failed;
        total.timed_out += t.timed_out;
        total.cancelled += t.cancelled;
        total.retried += t.retried;
    }
    println!(
        "simulation: {seeds} seeds, {} steps, {} requests: {} answered, {} typed errors, {} timed out, {} cancelled; {} sent again",
        total.steps, total.requests, total.ok, total.failed, total.timed_out, total.cancelled, total.retried
    );
    assert!(
        total.ok > 0 && total.failed > 0,
        "{total:?}: the world is too kind or too cruel"
    );
}

/// Every input of the `client_sim` fuzz corpus (and crash artifact), on
/// stable: what the fuzzer found once stays fixed.
#[test]
fn the_client_sim_fuzz_corpus_replays() {
    replay("client_sim", httpcore_client::sim::fuzz);
}

/// The same for `client_parsers` (the SOCKS5 handshake, proxy URLs,
/// `no_proxy` lists, the decoders).
#[test]
fn the_client_parsers_fuzz_corpus_replays() {
    replay("client_parsers", httpcore_client::sim::fuzz_parsers);
}

fn replay(target: &str, run: fn(&[u8])) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
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
            assert!(result.is_ok(), "{} fails", path.display());
            files += 1;
        }
    }
    assert!(files > 0, "no {target} corpus files found");
}
