//! A gigabyte of deflate decoded by the pooled client in constant memory
//! (`testkit::decoding::a_gigabyte_decodes_in_constant_memory`), in a test
//! process of its own so that the memory figure is its own.

mod pooled;
use pooled::make;

#[test]
fn a_gigabyte_decodes_in_constant_memory() {
    testkit::decoding::a_gigabyte_decodes_in_constant_memory(&make);
}
