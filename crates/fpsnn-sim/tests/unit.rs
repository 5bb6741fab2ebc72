//! Integration tests of the simulator (one binary, submodules by topic).
mod unit_tests;
