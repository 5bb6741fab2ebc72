mod finite_differences;
mod sample;
mod structure;
