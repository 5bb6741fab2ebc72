mod checkpoints;
mod determinism;
mod silent_label;
