//! fpsnn-causal (work in progress).
