mod finite_differences;
mod structure;
