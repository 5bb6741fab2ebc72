//! Integration tests for `fpsnn-trisolve`, one binary with submodules (keeps link time down).

mod unit_tests;
