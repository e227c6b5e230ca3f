//! The pooled client's decompression (`testkit::decoding`): gzip, deflate,
//! br and zstd bodies (as the build's features allow) whole, chunked and
//! byte by byte, streams cut short, bombs, and callers who ask for an
//! encoding themselves.

mod pooled;
use pooled::make;

testkit::decoding_tests!(make);
