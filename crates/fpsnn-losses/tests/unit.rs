//! Integration tests for `fpsnn-losses`, one binary with submodules (keeps link time down).

mod unit_tests;
