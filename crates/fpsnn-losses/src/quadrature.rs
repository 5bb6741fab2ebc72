//! Quadrature rules for [`crate::ReadoutIntegralLoss`].

use crate::LossError;

/// Largest Gauss-Legendre rule offered: beyond it the rule's error is already below
/// rounding on any smooth piece, so more nodes only cost time.
const MAX_GAUSS_NODES: usize = 64;
/// Largest composite-Simpson interval count offered (guards against absurd allocations).
const MAX_SIMPSON_INTERVALS: usize = 1 << 20;

/// Quadrature rule applied on each smooth piece of `[0, T]`.
///
/// [`crate::ReadoutIntegralLoss`] splits $[0, T]$ at every input spike time inside it: the
/// readout potential $V_o(t)$ has a kink there ($h$ is continuous but $h^{\prime}$ jumps from
/// 0 to $h^{\prime}(0^+)$), and between two consecutive spike times the integrand is smooth (for
/// [`fpsnn_kernels::ExpKernel`], a sum of exponentials). Segments longer than a maximum
/// length (by default the PSP's peak time, see
/// [`crate::ReadoutIntegralLoss::with_max_segment_length`]) are further split into equal
/// pieces, because a fast exponential such as $e^{-2 \alpha s}$ over many time constants is
/// poorly resolved by any fixed low-order rule. The rule is then applied to each piece of
/// length $l$:
///
/// | rule | evaluations per piece | exact for polynomials of degree | error on a smooth piece |
/// |---|---|---|---|
/// | `GaussLegendre { nodes: m }` | $m$ | $2m - 1$ | $\frac{l^{2m+1} (m!)^4}{(2m+1) ((2m)!)^3} \max \lvert f^{(2m)} \rvert$ |
/// | `Simpson { intervals: n }` ($n$ even) | $n + 1$ | 3 | $\frac{l (l/n)^4}{180} \max \lvert f^{(4)} \rvert$ |
///
/// Measured on one input spike (closed form in the crate's tests; `T = 6`, spike at 0.7,
/// rates $(\alpha, \beta) \in \lbrace (2, 1), (1, 4), (10, 1) \rbrace$), relative error of the value with
/// the default piece length:
///
/// | rule | relative error |
/// |---|---|
/// | `GaussLegendre { nodes: 4 }` | `2e-7 .. 8e-7` |
/// | `GaussLegendre { nodes: 8 }` (default) | `<= 2e-15` |
/// | `Simpson { intervals: 10 }` | `7e-7 .. 9e-6` |
/// | `Simpson { intervals: 100 }` | `7e-11 .. 1e-9` |
///
/// Without the subdivision, `GaussLegendre { nodes: 8 }` on the 5.3-long segment is off
/// by up to `6e-5`. Gauss-Legendre nodes and weights are computed once, at construction,
/// by Newton's method on the Legendre polynomial (accurate to a few ulps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quadrature {
    /// `nodes`-point Gauss-Legendre rule per piece, `1 <= nodes <= 64`.
    GaussLegendre {
        /// Number of nodes per piece.
        nodes: usize,
    },
    /// Composite Simpson rule with `intervals` sub-intervals per piece (even, `>= 2`).
    Simpson {
        /// Number of sub-intervals per piece.
        intervals: usize,
    },
}

impl Default for Quadrature {
    /// `GaussLegendre { nodes: 8 }`.
    fn default() -> Self {
        Self::GaussLegendre { nodes: 8 }
    }
}

/// Nodes in `[0, 1]` (ascending) and their weights (summing to 1).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UnitRule {
    pub(crate) nodes: Vec<f64>,
    pub(crate) weights: Vec<f64>,
}

impl Quadrature {
    /// The rule mapped to `[0, 1]`.
    pub(crate) fn unit_rule(self) -> Result<UnitRule, LossError> {
        match self {
            Self::GaussLegendre { nodes } => {
                if !(1..=MAX_GAUSS_NODES).contains(&nodes) {
                    return Err(LossError::InvalidQuadrature {
                        rule: "gauss-legendre",
                        nodes,
                        requirement: "need 1 <= nodes <= 64",
                    });
                }
                let (x, w) = gauss_legendre(nodes);
                Ok(UnitRule {
                    nodes: x.iter().map(|x| 0.5 * (1.0 + x)).collect(),
                    weights: w.iter().map(|w| 0.5 * w).collect(),
                })
            }
            Self::Simpson { intervals } => {
                if intervals < 2 || intervals % 2 != 0 || intervals > MAX_SIMPSON_INTERVALS {
                    return Err(LossError::InvalidQuadrature {
                        rule: "simpson",
                        nodes: intervals,
                        requirement: "need an even number of intervals, 2 <= n <= 2^20",
                    });
                }
                let n = intervals as f64;
                let nodes = (0..=intervals).map(|i| i as f64 / n).collect();
                let weights = (0..=intervals)
                    .map(|i| {
                        let c = if i == 0 || i == intervals {
                            1.0
                        } else if i % 2 == 1 {
                            4.0
                        } else {
                            2.0
                        };
                        c / (3.0 * n)
                    })
                    .collect();
                Ok(UnitRule { nodes, weights })
            }
        }
    }
}

/// Nodes (ascending) and weights of the `m`-point Gauss-Legendre rule on `[-1, 1]`.
///
/// Newton's method on `P_m` from the asymptotic guess `cos(pi (i + 3/4) / (m + 1/2))`,
/// with `P_m` and `P_m'` from the three-term recurrence; weights `2 / ((1 - x^2) P_m'(x)^2)`.
fn gauss_legendre(m: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; m];
    let mut w = vec![0.0; m];
    let mf = m as f64;
    for i in 0..m.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (mf + 0.5)).cos();
        let mut dp = 1.0;
        for _ in 0..100 {
            let (p, d) = legendre_with_derivative(m, z);
            dp = d;
            let step = p / d;
            z -= step;
            if step.abs() <= 2.0 * f64::EPSILON {
                break;
            }
        }
        // Re-evaluate the derivative at the converged node for the weight.
        let (_, d) = legendre_with_derivative(m, z);
        if d.is_finite() {
            dp = d;
        }
        let weight = 2.0 / ((1.0 - z * z) * dp * dp);
        x[i] = -z;
        x[m - 1 - i] = z;
        w[i] = weight;
        w[m - 1 - i] = weight;
    }
    if m % 2 == 1 {
        // The middle node is exactly 0.
        x[m / 2] = 0.0;
    }
    (x, w)
}

/// `(P_m(z), P_m'(z))` for `|z| < 1` by the three-term recurrence.
fn legendre_with_derivative(m: usize, z: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0_f64, z);
    if m == 0 {
        return (1.0, 0.0);
    }
    for j in 2..=m {
        let jf = j as f64;
        let p2 = ((2.0 * jf - 1.0) * z * p1 - (jf - 1.0) * p0) / jf;
        p0 = p1;
        p1 = p2;
    }
    let d = m as f64 * (z * p1 - p0) / (z * z - 1.0);
    (p1, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn integrate(rule: &UnitRule, f: impl Fn(f64) -> f64) -> f64 {
        rule.nodes
            .iter()
            .zip(&rule.weights)
            .map(|(&x, &w)| w * f(x))
            .sum()
    }

    #[test]
    fn gauss_legendre_is_exact_to_degree_2m_minus_1() {
        for m in [1, 2, 3, 5, 8, 16, 33, 64] {
            let rule = Quadrature::GaussLegendre { nodes: m }.unit_rule().unwrap();
            assert!(rule.nodes.windows(2).all(|p| p[0] < p[1]), "m = {m}");
            assert!(rule.nodes.iter().all(|&x| x > 0.0 && x < 1.0));
            // int_0^1 x^d dx = 1 / (d + 1); tolerance a few ulps per node (sums of m terms).
            for d in 0..2 * m {
                let exact = 1.0 / (d as f64 + 1.0);
                let got = integrate(&rule, |x| x.powi(d as i32));
                assert!(
                    (got - exact).abs() <= 1e-14 * m as f64,
                    "m = {m}, d = {d}: {got}"
                );
            }
        }
    }

    #[test]
    fn gauss_legendre_matches_tabulated_three_point_rule() {
        // Abramowitz & Stegun 25.4.29: nodes 0, +-sqrt(3/5), weights 8/9, 5/9.
        let (x, w) = gauss_legendre(3);
        let r = (0.6_f64).sqrt();
        for (got, want) in x.iter().zip([-r, 0.0, r]) {
            assert!((got - want).abs() < 1e-15);
        }
        for (got, want) in w.iter().zip([5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0]) {
            assert!((got - want).abs() < 1e-15);
        }
    }

    #[test]
    fn simpson_is_exact_for_cubics() {
        let rule = Quadrature::Simpson { intervals: 4 }.unit_rule().unwrap();
        let got = integrate(&rule, |x| 4.0 * x * x * x - x + 2.0);
        assert!((got - 2.5).abs() < 1e-15);
    }

    #[test]
    fn rejects_bad_counts() {
        for q in [
            Quadrature::GaussLegendre { nodes: 0 },
            Quadrature::GaussLegendre { nodes: 65 },
            Quadrature::Simpson { intervals: 0 },
            Quadrature::Simpson { intervals: 3 },
            Quadrature::Simpson {
                intervals: usize::MAX,
            },
        ] {
            assert!(matches!(
                q.unit_rule(),
                Err(LossError::InvalidQuadrature { .. })
            ));
        }
    }
}
