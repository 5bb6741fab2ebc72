//! Shared bench fixtures (filled in by the benchmark work).
