//! fpsnn-train (work in progress).
