//! Simulation and exact gradients on small networks derived from the fuzz bytes; the
//! property is in `sim_grad_check.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod sim_grad_check;

fuzz_target!(|data: &[u8]| sim_grad_check::check(data));
