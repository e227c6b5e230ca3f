//! Test support of this crate; the scripted server is shared (`testkit`).
#![allow(dead_code)]

#[allow(unused_imports)]
pub use testkit::{answer, Action, Request, Server};

/// The `fetch` example, built by `cargo test` beside the test binaries.
pub fn fetch_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join("fetch");
    assert!(
        path.exists(),
        "{} missing: run through `cargo test`, which builds the examples",
        path.display()
    );
    path
}
