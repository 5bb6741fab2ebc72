//! A linear non-spiking readout and the membrane-potential losses built on it.

use fpsnn_kernels::{ExpKernel, Kernel};

use crate::quadrature::UnitRule;
use crate::{Loss, LossError, LossOutput, Quadrature, check_positive, validate_spikes};

/// A linear, non-spiking readout layer: `n_out` potentials driven by `n_in` spike trains
/// (spike times $F_j$ of input $j$) through the PSP kernel $h$ of `kernel`
/// ([the neuron model](fpsnn_kernels#model) without threshold or reset),
///
/// $$
/// \begin{aligned}
/// V_o(t) &= \sum_j W_{jo} \sum_{g \in F_j} h(t - g) \qquad (h(s) = 0 \text{ for } s \le 0), \cr
/// \frac{\partial V_o}{\partial g} &= -W_{jo} h^{\prime}(t - g) \qquad (g \in F_j), \cr
/// \frac{\partial V_o}{\partial W_{jo}} &= \sum_{g \in F_j} h(t - g).
/// \end{aligned}
/// $$
///
/// `weights` is row-major `[pre][out]`: $W_{jo}$ = `weights[j * n_out + o]`. The losses
/// built on it ([`ReadoutSampledMse`], [`ReadoutIntegralLoss`]) report
/// $\partial L / \partial W$ in the same layout in [`LossOutput::d_params`].
///
/// A spike exactly at the evaluation time ($g = t$) has not arrived yet: it adds
/// $h(0) = 0$, and its derivative is the one-sided $h^{\prime}(0^-) = 0$ (moving it later
/// changes nothing; moving it earlier would change $V$ at rate $W h^{\prime}(0^+)$).
///
/// Spike times may be any finite numbers (a spike before 0 simply acts from the start).
///
/// # Examples
/// ```
/// use fpsnn_kernels::{ExpKernel, Kernel};
/// use fpsnn_losses::LinearReadout;
/// let kernel = ExpKernel::try_new(2.0, 1.0)?;
/// // 2 inputs, 1 output, W = [0.5, -1.0]^T.
/// let readout = LinearReadout::try_new(kernel, 2, 1, vec![0.5, -1.0])?;
/// let v = readout.potentials(&[vec![0.0, 1.0], vec![0.5]], 2.0)?;
/// let want = 0.5 * (kernel.psp(2.0) + kernel.psp(1.0)) - kernel.psp(1.5);
/// assert!((v[0] - want).abs() < 1e-15);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LinearReadout<K = ExpKernel> {
    kernel: K,
    weights: Vec<f64>,
    n_in: usize,
    n_out: usize,
}

impl<K: Kernel> LinearReadout<K> {
    /// A readout from `n_in` spike trains to `n_out` potentials with row-major
    /// `[pre][out]` weights.
    ///
    /// # Errors
    /// [`LossError::ShapeMismatch`] if `weights.len() != n_in * n_out`;
    /// [`LossError::InvalidParameter`] if a weight is not finite.
    pub fn try_new(
        kernel: K,
        n_in: usize,
        n_out: usize,
        weights: Vec<f64>,
    ) -> Result<Self, LossError> {
        let mut readout = Self {
            kernel,
            weights: Vec::new(),
            n_in,
            n_out,
        };
        readout.set_weights(weights)?;
        Ok(readout)
    }

    /// Replaces the weights (row-major `[pre][out]`).
    ///
    /// # Errors
    /// As [`LinearReadout::try_new`]; on error the old weights are kept.
    pub fn set_weights(&mut self, weights: Vec<f64>) -> Result<(), LossError> {
        let expected = self.n_in.saturating_mul(self.n_out);
        if weights.len() != expected {
            return Err(LossError::ShapeMismatch {
                what: "readout weights (n_in * n_out)",
                expected,
                found: weights.len(),
            });
        }
        if let Some(&value) = weights.iter().find(|w| !w.is_finite()) {
            return Err(LossError::InvalidParameter {
                name: "weights",
                value,
                requirement: "must be finite",
            });
        }
        self.weights = weights;
        Ok(())
    }

    /// The PSP kernel.
    #[must_use]
    pub fn kernel(&self) -> &K {
        &self.kernel
    }

    /// The weights, row-major `[pre][out]`.
    #[must_use]
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Mutable weights (for an optimiser step); the length is fixed. A non-finite weight
    /// written here makes the losses return [`LossError::NonFinite`].
    pub fn weights_mut(&mut self) -> &mut [f64] {
        &mut self.weights
    }

    /// Number of input spike trains.
    #[must_use]
    pub fn n_in(&self) -> usize {
        self.n_in
    }

    /// Number of output potentials.
    #[must_use]
    pub fn n_out(&self) -> usize {
        self.n_out
    }

    /// All output potentials `V_o(time)`.
    ///
    /// # Errors
    /// [`LossError::ShapeMismatch`] if `spikes.len() != n_in`; the spike-time errors of
    /// [`Loss::evaluate`]; [`LossError::InvalidParameter`] if `time` is not finite.
    pub fn potentials(&self, spikes: &[Vec<f64>], time: f64) -> Result<Vec<f64>, LossError> {
        self.check_input(spikes)?;
        if !time.is_finite() {
            return Err(LossError::InvalidParameter {
                name: "time",
                value: time,
                requirement: "must be finite",
            });
        }
        let mut traces = vec![0.0; self.n_in];
        self.traces_into(spikes, time, &mut traces);
        let mut v = vec![0.0; self.n_out];
        self.potentials_from_traces(&traces, &mut v);
        Ok(v)
    }

    /// Shape and spike-time checks shared by every entry point.
    fn check_input(&self, spikes: &[Vec<f64>]) -> Result<(), LossError> {
        if spikes.len() != self.n_in {
            return Err(LossError::ShapeMismatch {
                what: "spike trains (readout inputs)",
                expected: self.n_in,
                found: spikes.len(),
            });
        }
        validate_spikes(spikes)
    }

    /// `y_j(t) = sum_{g in F_j} h(t - g)` for every input `j`.
    fn traces_into(&self, spikes: &[Vec<f64>], t: f64, traces: &mut [f64]) {
        for (y, train) in traces.iter_mut().zip(spikes) {
            *y = train.iter().map(|&g| self.kernel.psp(t - g)).sum();
        }
    }

    /// `V_o = sum_j W_jo y_j`.
    fn potentials_from_traces(&self, traces: &[f64], v: &mut [f64]) {
        v.fill(0.0);
        for (y, row) in traces
            .iter()
            .zip(self.weights.chunks_exact(self.n_out.max(1)))
        {
            for (vo, w) in v.iter_mut().zip(row) {
                *vo += w * y;
            }
        }
    }

    /// `r_j = sum_o W_jo e_o`: the sensitivity of `sum_o e_o V_o` to the trace `y_j`.
    fn back_to_traces(&self, errors: &[f64], r: &mut [f64]) {
        for (rj, row) in r
            .iter_mut()
            .zip(self.weights.chunks_exact(self.n_out.max(1)))
        {
            *rj = row.iter().zip(errors).map(|(w, e)| w * e).sum();
        }
    }
}

/// One target sample of a readout potential: `V_output(time)` should be `value`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoltageTarget {
    /// Sample time.
    pub time: f64,
    /// Index of the readout output.
    pub output: usize,
    /// Target potential.
    pub value: f64,
}

/// Squared error of a [`LinearReadout`]'s potentials at given sample times.
///
/// Target: a list of [`VoltageTarget`] samples $(t_s, o_s, v_s)$ (any order; several per
/// time or output allowed). Reads the readout's input spike trains (`n_in` of them):
///
/// $$
/// \begin{aligned}
/// L &= \frac{1}{2} \sum_s \bigl(V_{o_s}(t_s) - v_s\bigr)^2, \cr
/// \frac{\partial L}{\partial g} &= -\sum_s \bigl(V_{o_s}(t_s) - v_s\bigr) W_{j o_s}
///     h^{\prime}(t_s - g) \qquad (g \in F_j), \cr
/// \frac{\partial L}{\partial W_{jo}} &= \sum_{s:\ o_s = o} \bigl(V_o(t_s) - v_s\bigr)
///     \sum_{g \in F_j} h(t_s - g).
/// \end{aligned}
/// $$
///
/// The factor $\frac{1}{2}$ makes the gradient the plain residual; the value is a sum over
/// the samples, not a mean. [`LossOutput::d_params`] holds $\partial L / \partial W$ in the
/// layout of
/// [`LinearReadout::weights`]; [`LossOutput::silent`] is 0. A spike exactly at a sample
/// time gets the one-sided derivative described at [`LinearReadout`].
///
/// # Examples
/// ```
/// use fpsnn_kernels::ExpKernel;
/// use fpsnn_losses::{LinearReadout, Loss, ReadoutSampledMse, VoltageTarget};
/// let readout = LinearReadout::try_new(ExpKernel::try_new(2.0, 1.0)?, 1, 2, vec![1.0, -1.0])?;
/// let loss = ReadoutSampledMse::new(readout);
/// let target = [VoltageTarget { time: 1.5, output: 0, value: 0.2 }];
/// let out = loss.evaluate(&[vec![0.5]], &target)?;
/// assert_eq!(out.d_params.len(), 2);
/// assert_eq!(out.d_params[1], 0.0); // output 1 has no sample
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ReadoutSampledMse<K = ExpKernel> {
    readout: LinearReadout<K>,
}

impl<K: Kernel> ReadoutSampledMse<K> {
    /// The loss of this readout.
    #[must_use]
    pub fn new(readout: LinearReadout<K>) -> Self {
        Self { readout }
    }

    /// The readout.
    #[must_use]
    pub fn readout(&self) -> &LinearReadout<K> {
        &self.readout
    }

    /// The readout, mutably (to update its weights).
    pub fn readout_mut(&mut self) -> &mut LinearReadout<K> {
        &mut self.readout
    }
}

impl<K: Kernel> Loss for ReadoutSampledMse<K> {
    type Target = [VoltageTarget];

    fn evaluate(
        &self,
        spikes: &[Vec<f64>],
        target: &[VoltageTarget],
    ) -> Result<LossOutput, LossError> {
        let readout = &self.readout;
        readout.check_input(spikes)?;
        for (sample, t) in target.iter().enumerate() {
            if !t.time.is_finite() || !t.value.is_finite() {
                return Err(LossError::InvalidVoltageTarget {
                    sample,
                    time: t.time,
                    value: t.value,
                });
            }
            if t.output >= readout.n_out {
                return Err(LossError::OutputOutOfRange {
                    sample,
                    output: t.output,
                    num_outputs: readout.n_out,
                });
            }
        }
        let n_out = readout.n_out;
        let mut out = LossOutput::zeros_like(spikes, readout.weights.len());
        let mut traces = vec![0.0; readout.n_in];
        for sample in target {
            let (t, o) = (sample.time, sample.output);
            readout.traces_into(spikes, t, &mut traces);
            let v: f64 = traces
                .iter()
                .enumerate()
                .map(|(j, y)| readout.weights[j * n_out + o] * y)
                .sum();
            let residual = v - sample.value;
            out.value += 0.5 * residual * residual;
            for (j, (train, y)) in spikes.iter().zip(&traces).enumerate() {
                let w = readout.weights[j * n_out + o];
                out.d_params[j * n_out + o] += residual * y;
                for (d, &g) in out.d_spikes[j].iter_mut().zip(train) {
                    *d -= residual * w * readout.kernel.psp_derivative(t - g);
                }
            }
        }
        out.into_finite()
    }

    fn num_params(&self) -> usize {
        self.readout.weights.len()
    }

    fn params(&self) -> &[f64] {
        &self.readout.weights
    }

    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        self.readout.set_weights(params.to_vec())
    }
}

/// Time integral of the squared deviation of a [`LinearReadout`]'s potentials from
/// constant targets, by piecewise quadrature.
///
/// Target: one constant $c_o$ per output (`n_out` values). With horizon $T$:
///
/// $$
/// \begin{aligned}
/// L &= \sum_o \int_0^T \frac{1}{2} \bigl(V_o(t) - c_o\bigr)^2 \ dt, \cr
/// \frac{\partial L}{\partial g} &= -\int_0^T \sum_o \bigl(V_o(t) - c_o\bigr) W_{jo}
///     h^{\prime}(t - g) \ dt \qquad (g \in F_j), \cr
/// \frac{\partial L}{\partial W_{jo}} &= \int_0^T \bigl(V_o(t) - c_o\bigr)
///     \sum_{g \in F_j} h(t - g) \ dt.
/// \end{aligned}
/// $$
///
/// $[0, T]$ is split at every distinct input spike time in $(0, T)$ (where $V_o$ has a
/// kink and $\partial V_o / \partial g$ a jump); each such segment longer than the maximum
/// piece length (default: the PSP's peak time $\operatorname{argmax} h$, which is
/// $\ln(\beta/\alpha) / (\beta - \alpha)$ for [`ExpKernel`]; see [`ReadoutIntegralLoss::with_max_segment_length`]) is split into
/// equal pieces, and the [`Quadrature`] rule is applied on each piece. The rule therefore
/// only ever sees a smooth integrand over about one time constant; see [`Quadrature`] for
/// the error (the default 8-point Gauss-Legendre rule is accurate to ~1e-15 relative on
/// the tested set-ups). Spikes at or before 0 act on the whole interval, spikes at or
/// after $T$ not at all.
///
/// The gradients are the same quadrature applied to the exact derivative integrands above
/// (by the Leibniz rule the moving kink adds no boundary term, because $h(0) = 0$ keeps the
/// integrand continuous). They therefore equal the derivative of the exact integral up to
/// the quadrature error, and agree with a finite difference of [`Loss::evaluate`]'s value to
/// that accuracy, not to rounding. At a segment's left end the jump of $h^{\prime}$ is taken
/// from the right ($h^{\prime}(0^+)$), as the integral requires.
///
/// Cost: $O(P m (S + n_{\mathrm{in}} n_{\mathrm{out}}))$ for $S$ input spikes,
/// $P \le S + 1 + T / l$ pieces of length at most $l$ and $m$ nodes per piece.
///
/// # Examples
/// ```
/// use fpsnn_kernels::ExpKernel;
/// use fpsnn_losses::{LinearReadout, Loss, Quadrature, ReadoutIntegralLoss};
/// let readout = LinearReadout::try_new(ExpKernel::try_new(1.0, 1.0)?, 1, 1, vec![2.0])?;
/// let loss = ReadoutIntegralLoss::try_new(readout, 20.0, Quadrature::default())?;
/// // No spike: V = 0, so L = T c^2 / 2.
/// let out = loss.evaluate(&[vec![]], &[0.5])?;
/// assert!((out.value - 20.0 * 0.125).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ReadoutIntegralLoss<K = ExpKernel> {
    readout: LinearReadout<K>,
    horizon: f64,
    quadrature: Quadrature,
    rule: UnitRule,
    max_segment: f64,
}

impl<K: Kernel> ReadoutIntegralLoss<K> {
    /// The loss of this readout over `[0, horizon]` with the given rule per piece and the
    /// default piece length (the PSP's peak time).
    ///
    /// # Errors
    /// [`LossError::InvalidParameter`] if `horizon` is not finite and strictly positive;
    /// [`LossError::InvalidQuadrature`] for an unusable node count.
    pub fn try_new(
        readout: LinearReadout<K>,
        horizon: f64,
        quadrature: Quadrature,
    ) -> Result<Self, LossError> {
        check_positive("horizon", horizon)?;
        let rule = quadrature.unit_rule()?;
        let max_segment = default_max_segment(&readout.kernel);
        Ok(Self {
            readout,
            horizon,
            quadrature,
            rule,
            max_segment,
        })
    }

    /// Sets the longest piece the rule is applied to: every smooth segment longer than
    /// `length` is split into equal pieces no longer than it (at most `2^20` pieces per
    /// segment). `f64::INFINITY` disables the subdivision (one rule per segment).
    ///
    /// # Errors
    /// [`LossError::InvalidParameter`] if `length` is NaN or not strictly positive.
    pub fn with_max_segment_length(mut self, length: f64) -> Result<Self, LossError> {
        if length.is_nan() || length <= 0.0 {
            return Err(LossError::InvalidParameter {
                name: "max_segment_length",
                value: length,
                requirement: "must be > 0 (infinity allowed)",
            });
        }
        self.max_segment = length;
        Ok(self)
    }

    /// The longest piece the quadrature rule is applied to (see
    /// [`ReadoutIntegralLoss::with_max_segment_length`]).
    #[must_use]
    pub fn max_segment_length(&self) -> f64 {
        self.max_segment
    }

    /// Number of equal pieces a smooth segment of this length is split into.
    fn pieces(&self, length: f64) -> usize {
        let pieces = (length / self.max_segment).ceil();
        if pieces >= MAX_PIECES as f64 {
            MAX_PIECES
        } else if pieces >= 1.0 {
            pieces as usize
        } else {
            1
        }
    }

    /// The readout.
    #[must_use]
    pub fn readout(&self) -> &LinearReadout<K> {
        &self.readout
    }

    /// The readout, mutably (to update its weights).
    pub fn readout_mut(&mut self) -> &mut LinearReadout<K> {
        &mut self.readout
    }

    /// The end `T` of the integration interval `[0, T]`.
    #[must_use]
    pub fn horizon(&self) -> f64 {
        self.horizon
    }

    /// The rule applied on each piece.
    #[must_use]
    pub fn quadrature(&self) -> Quadrature {
        self.quadrature
    }
}

/// Cap on the pieces per smooth segment (guards against a vanishing maximum length).
const MAX_PIECES: usize = 1 << 20;

/// The time of the PSP's maximum, `argmax h` (`ln(beta/alpha) / (beta - alpha)` for
/// [`ExpKernel`], `1/alpha` when `alpha == beta`), or infinity if the kernel has none.
fn default_max_segment<K: Kernel>(kernel: &K) -> f64 {
    let unit_current = fpsnn_kernels::State {
        current: 1.0,
        potential: 0.0,
    };
    match kernel.peak(unit_current, 1e6) {
        Some(peak) if peak > 0.0 && peak.is_finite() => peak,
        _ => f64::INFINITY,
    }
}

/// One input spike: time, input index, position in its train.
#[derive(Clone, Copy, Debug)]
struct Event {
    time: f64,
    input: usize,
    index: usize,
}

impl<K: Kernel> Loss for ReadoutIntegralLoss<K> {
    type Target = [f64];

    fn evaluate(&self, spikes: &[Vec<f64>], target: &[f64]) -> Result<LossOutput, LossError> {
        let readout = &self.readout;
        readout.check_input(spikes)?;
        if target.len() != readout.n_out {
            return Err(LossError::ShapeMismatch {
                what: "output targets (one per readout output)",
                expected: readout.n_out,
                found: target.len(),
            });
        }
        if let Some((output, &value)) = target.iter().enumerate().find(|(_, c)| !c.is_finite()) {
            return Err(LossError::InvalidOutputTarget { output, value });
        }

        let n_out = readout.n_out;
        let horizon = self.horizon;
        let mut events: Vec<Event> = spikes
            .iter()
            .enumerate()
            .flat_map(|(input, train)| {
                train
                    .iter()
                    .enumerate()
                    .map(move |(index, &time)| Event { time, input, index })
            })
            .collect();
        events.sort_by(|a, b| a.time.total_cmp(&b.time));

        // Segment ends: 0, every distinct spike time in (0, T), T.
        let mut breaks = vec![0.0];
        for e in &events {
            let last = breaks[breaks.len() - 1];
            if e.time > last && e.time < horizon {
                breaks.push(e.time);
            }
        }
        breaks.push(horizon);

        let mut out = LossOutput::zeros_like(spikes, readout.weights.len());
        let mut traces = vec![0.0; readout.n_in];
        let mut v = vec![0.0; n_out];
        let mut errors = vec![0.0; n_out];
        let mut back = vec![0.0; readout.n_in];
        let mut arrived = 0;
        for seg in breaks.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            // Spikes at or before the segment start act on all of it; every other spike is
            // at or after its end (the breaks include all spike times in (0, T)).
            while arrived < events.len() && events[arrived].time <= a {
                arrived += 1;
            }
            let active = &events[..arrived];
            let pieces = self.pieces(b - a);
            let length = (b - a) / pieces as f64;
            let nodes = (0..pieces).flat_map(|p| {
                let start = if p == 0 {
                    a
                } else {
                    a + (b - a) * (p as f64 / pieces as f64)
                };
                self.rule
                    .nodes
                    .iter()
                    .zip(&self.rule.weights)
                    .map(move |(&x, &w)| (start + length * x, w * length))
            });
            for (t, weight) in nodes {
                traces.fill(0.0);
                for e in active {
                    traces[e.input] += readout.kernel.psp(t - e.time);
                }
                readout.potentials_from_traces(&traces, &mut v);
                for ((err, vo), c) in errors.iter_mut().zip(&v).zip(target) {
                    *err = vo - c;
                    out.value += weight * 0.5 * *err * *err;
                }
                for (j, y) in traces.iter().enumerate() {
                    let row = &mut out.d_params[j * n_out..(j + 1) * n_out];
                    for (d, err) in row.iter_mut().zip(&errors) {
                        *d += weight * err * y;
                    }
                }
                readout.back_to_traces(&errors, &mut back);
                for e in active {
                    // Right limit h'(0+) at the segment's left end, where t == g.
                    let s = (t - e.time).max(f64::MIN_POSITIVE);
                    out.d_spikes[e.input][e.index] -=
                        weight * back[e.input] * readout.kernel.psp_derivative(s);
                }
            }
        }
        out.into_finite()
    }

    fn num_params(&self) -> usize {
        self.readout.weights.len()
    }

    fn params(&self) -> &[f64] {
        &self.readout.weights
    }

    fn set_params(&mut self, params: &[f64]) -> Result<(), LossError> {
        self.readout.set_weights(params.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel() -> ExpKernel {
        ExpKernel::try_new(2.0, 1.0).unwrap()
    }

    #[test]
    fn rejects_bad_shapes_and_weights() {
        assert!(matches!(
            LinearReadout::try_new(kernel(), 2, 3, vec![0.0; 5]),
            Err(LossError::ShapeMismatch {
                expected: 6,
                found: 5,
                ..
            })
        ));
        assert!(matches!(
            LinearReadout::try_new(kernel(), 1, 1, vec![f64::NAN]),
            Err(LossError::InvalidParameter {
                name: "weights",
                ..
            })
        ));
        let readout = LinearReadout::try_new(kernel(), 2, 1, vec![1.0, 1.0]).unwrap();
        assert!(matches!(
            readout.potentials(&[vec![]], 1.0),
            Err(LossError::ShapeMismatch { .. })
        ));
        assert!(readout.potentials(&[vec![], vec![]], f64::NAN).is_err());
    }

    #[test]
    fn right_limit_at_segment_start() {
        // One spike at g = 0 with W = 1 and target c = 1:
        // dL/dg = -int_0^T (h(t) - 1) h'(t) dt = -((h(T) - 1)^2 - 1) / 2.
        // Simpson evaluates h' at t = g exactly, where only the right limit h'(0+) = 1 is
        // correct; the left value 0 would be off by (interval / 3) (1 - 0) ~ 5e-4.
        let readout = LinearReadout::try_new(kernel(), 1, 1, vec![1.0]).unwrap();
        let horizon = 3.0;
        let loss =
            ReadoutIntegralLoss::try_new(readout, horizon, Quadrature::Simpson { intervals: 2000 })
                .unwrap();
        let out = loss.evaluate(&[vec![0.0]], &[1.0]).unwrap();
        let h = kernel().psp(horizon);
        let want = -0.5 * ((h - 1.0) * (h - 1.0) - 1.0);
        // Simpson's truncation error with step 1.5e-3 is ~1e-12 here.
        assert!(
            (out.d_spikes[0][0] - want).abs() < 1e-10,
            "{} vs {want}",
            out.d_spikes[0][0]
        );
    }

    #[test]
    fn conformance() {
        let readout = LinearReadout::try_new(kernel(), 2, 2, vec![1.0, -0.5, 0.7, 2.0]).unwrap();
        let spikes = [vec![0.3, 1.1], vec![0.6]];
        let sampled = ReadoutSampledMse::new(readout.clone());
        let samples = [
            VoltageTarget {
                time: 1.9,
                output: 0,
                value: 0.1,
            },
            VoltageTarget {
                time: 2.6,
                output: 1,
                value: -0.2,
            },
        ];
        crate::testing::check_loss(&sampled, &spikes, &samples[..]);
        let integral =
            ReadoutIntegralLoss::try_new(readout, 4.0, Quadrature::GaussLegendre { nodes: 12 })
                .unwrap();
        crate::testing::check_loss(&integral, &spikes, &[0.3, -0.1][..]);
    }
}
