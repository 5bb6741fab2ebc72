//! Integration tests of the causal graph and the gradient drivers.
mod unit_tests;
