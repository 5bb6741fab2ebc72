//! Integration tests of `fpsnn-datasets` (one binary; see `unit_tests/`).

mod unit_tests;
