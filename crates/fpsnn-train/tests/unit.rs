//! Integration tests of training: determinism across thread counts, bit-identical
//! resumption, the loss falling, and checkpoint corruption.
mod unit_tests;
