mod checkpoints;
mod determinism;
mod first_spike_hidden;
mod silent_label;
