//! The Driver's decompression (`testkit::decoding`): gzip, deflate, br and
//! zstd bodies (as the build's features allow) whole, chunked and byte by
//! byte, streams cut short, bombs, and callers who ask for an encoding
//! themselves. (The driver collects whole bodies, so the gigabyte case is
//! the other clients'.)

mod pooled;
use pooled::make;

testkit::decoding_tests!(make);
