//! fpsnn facade (work in progress).
