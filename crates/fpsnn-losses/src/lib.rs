//! fpsnn-losses (work in progress).
