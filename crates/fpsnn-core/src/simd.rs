//! Wider vector instructions for the hot loops, chosen at run time.

/// Runs `f`, compiled with AVX2 where the processor has it (checked once per call, a cached
/// atomic load), so that the loops inlined into `f` use 256-bit vectors instead of the
/// baseline's 128-bit SSE2; elsewhere it runs `f` as it is.
///
/// Results are bit-identical either way: Rust never contracts `a * b + c` into a fused
/// multiply-add nor reorders floating-point operations, so a loop vectorised four lanes
/// wide computes exactly what the two-lane or scalar loop computes. Mark the functions that
/// hold the loops `#[inline(always)]` so that they are compiled inside the AVX2 function.
/// `docs/decisions.md` ("Run-time AVX2") gives the benchmark that justifies the one
/// `unsafe` call here.
#[inline]
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(unsafe_code)]
            // SAFETY: the only precondition of calling a `#[target_feature(enable = "avx2")]`
            // function is that the processor supports AVX2, checked just above.
            return unsafe { with_avx2(f) };
        }
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::vectorized;

    #[test]
    fn vectorized_loops_compute_the_same_bits() {
        let x: Vec<f64> = (0..1003).map(|i| f64::from(i).sin() * 1e3).collect();
        let body = |x: &[f64]| -> Vec<f64> { x.iter().map(|v| v * 0.3 + v * v * 1e-7).collect() };
        let wide = vectorized(|| body(&x));
        let plain = body(&x);
        assert_eq!(
            wide.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            plain.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
