//! Test support of this crate; the scripted server is shared (`testkit`).
#![allow(dead_code)]

#[allow(unused_imports)]
pub use testkit::{answer, Action, Request, Server};

/// The `fetch` example, built by `cargo test` beside the test binaries.
pub fn fetch_binary() -> std::path::PathBuf {
    example("fetch")
}

/// An example of this crate, built by `cargo test` beside the test binaries.
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} missing: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
}
