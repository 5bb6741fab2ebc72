mod checkpoints;
mod determinism;
