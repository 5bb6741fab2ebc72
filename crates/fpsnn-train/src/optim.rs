//! Optimisers with explicit, serialisable state, and learning-rate schedules.

use serde::{Deserialize, Serialize};

use crate::TrainError;

/// The state an optimiser carries between steps (checkpointed with the parameters).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OptimizerState {
    /// Adam moments and step count.
    Adam {
        /// First moment.
        m: Vec<f64>,
        /// Second moment.
        v: Vec<f64>,
        /// Steps taken.
        step: u64,
    },
    /// SGD momentum buffer.
    Sgd {
        /// Velocity.
        velocity: Vec<f64>,
    },
}

/// A first-order optimiser: `step(params, grads, state) -> state`.
pub trait Optimizer: Send + Sync + std::fmt::Debug {
    /// Fresh state for `n` parameters.
    fn init_state(&self, n: usize) -> OptimizerState;
    /// One update of `params` with `grads` at learning rate `lr`.
    ///
    /// # Errors
    /// [`TrainError::OptimizerState`] if `state` does not belong to this optimiser or has
    /// the wrong length.
    fn step(
        &self,
        params: &mut [f64],
        grads: &[f64],
        state: OptimizerState,
        lr: f64,
    ) -> Result<OptimizerState, TrainError>;
    /// The base learning rate.
    fn learning_rate(&self) -> f64;
}

/// Adam (Kingma & Ba) hyper-parameters; [`AdamConfig::build`] validates them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Denominator guard.
    pub eps: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

impl AdamConfig {
    /// With learning rate `lr` and the usual defaults otherwise.
    #[must_use]
    pub fn with_lr(lr: f64) -> Self {
        Self {
            lr,
            ..Self::default()
        }
    }

    /// Validates and builds.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for a non-positive learning rate or eps, or decays
    /// outside `[0, 1)`.
    pub fn build(&self) -> Result<Adam, TrainError> {
        positive("lr", self.lr)?;
        positive("eps", self.eps)?;
        unit("beta1", self.beta1)?;
        unit("beta2", self.beta2)?;
        Ok(Adam { config: *self })
    }
}

/// Adam.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    config: AdamConfig,
}

impl Optimizer for Adam {
    fn init_state(&self, n: usize) -> OptimizerState {
        OptimizerState::Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            step: 0,
        }
    }

    fn step(
        &self,
        params: &mut [f64],
        grads: &[f64],
        state: OptimizerState,
        lr: f64,
    ) -> Result<OptimizerState, TrainError> {
        let OptimizerState::Adam {
            mut m,
            mut v,
            mut step,
        } = state
        else {
            return Err(TrainError::OptimizerState);
        };
        if m.len() != params.len() || v.len() != params.len() || grads.len() != params.len() {
            return Err(TrainError::OptimizerState);
        }
        let AdamConfig {
            beta1, beta2, eps, ..
        } = self.config;
        step += 1;
        let c1 = 1.0 - beta1.powf(step as f64);
        let c2 = 1.0 - beta2.powf(step as f64);
        for (((p, &g), m), v) in params.iter_mut().zip(grads).zip(&mut m).zip(&mut v) {
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            *p -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
        }
        Ok(OptimizerState::Adam { m, v, step })
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }
}

/// SGD with momentum; [`SgdConfig::build`] validates it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum in `[0, 1)`.
    pub momentum: f64,
}

impl SgdConfig {
    /// Validates and builds.
    ///
    /// # Errors
    /// [`TrainError::InvalidConfig`] for a non-positive learning rate or a momentum outside
    /// `[0, 1)`.
    pub fn build(&self) -> Result<Sgd, TrainError> {
        positive("lr", self.lr)?;
        unit("momentum", self.momentum)?;
        Ok(Sgd { config: *self })
    }
}

/// SGD with (heavy-ball) momentum: `v <- mu v + g`, `p <- p - lr v`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd {
    config: SgdConfig,
}

impl Optimizer for Sgd {
    fn init_state(&self, n: usize) -> OptimizerState {
        OptimizerState::Sgd {
            velocity: vec![0.0; n],
        }
    }

    fn step(
        &self,
        params: &mut [f64],
        grads: &[f64],
        state: OptimizerState,
        lr: f64,
    ) -> Result<OptimizerState, TrainError> {
        let OptimizerState::Sgd { mut velocity } = state else {
            return Err(TrainError::OptimizerState);
        };
        if velocity.len() != params.len() || grads.len() != params.len() {
            return Err(TrainError::OptimizerState);
        }
        for ((p, &g), v) in params.iter_mut().zip(grads).zip(&mut velocity) {
            *v = self.config.momentum * *v + g;
            *p -= lr * *v;
        }
        Ok(OptimizerState::Sgd { velocity })
    }

    fn learning_rate(&self) -> f64 {
        self.config.lr
    }
}

/// Learning rate as a function of the epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum LrSchedule {
    /// The optimiser's rate throughout.
    #[default]
    Constant,
    /// Multiply by `factor` every `every` epochs (a staircase).
    Step {
        /// Factor in `(0, 1]`.
        factor: f64,
        /// Period in epochs, >= 1.
        every: usize,
    },
}

impl LrSchedule {
    /// The rate at `epoch` (0-based) for base rate `base`.
    #[must_use]
    pub fn rate(&self, base: f64, epoch: usize) -> f64 {
        match *self {
            Self::Constant => base,
            Self::Step { factor, every } => {
                base * factor.powi(i32::try_from(epoch / every.max(1)).unwrap_or(i32::MAX))
            }
        }
    }
}

fn positive(name: &'static str, value: f64) -> Result<(), TrainError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(TrainError::InvalidConfig {
            name,
            value,
            requirement: "finite and > 0",
        })
    }
}

fn unit(name: &'static str, value: f64) -> Result<(), TrainError> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(TrainError::InvalidConfig {
            name,
            value,
            requirement: "in [0, 1)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_first_step_moves_by_lr() {
        let adam = AdamConfig::with_lr(0.1).build().unwrap();
        let mut p = vec![1.0, -1.0];
        let s = adam.init_state(2);
        let s = adam.step(&mut p, &[2.0, -0.5], s, 0.1).unwrap();
        // bias-corrected first step is lr * sign(g)
        assert!((p[0] - 0.9).abs() < 1e-7 && (p[1] + 0.9).abs() < 1e-7);
        assert!(matches!(s, OptimizerState::Adam { step: 1, .. }));
    }

    #[test]
    fn sgd_momentum_accumulates() {
        let sgd = SgdConfig {
            lr: 0.5,
            momentum: 0.5,
        }
        .build()
        .unwrap();
        let mut p = vec![0.0];
        let s = sgd.init_state(1);
        let s = sgd.step(&mut p, &[1.0], s, 0.5).unwrap();
        let _ = sgd.step(&mut p, &[1.0], s, 0.5).unwrap();
        assert!((p[0] + 0.5 + 0.75).abs() < 1e-15);
    }

    #[test]
    fn mismatched_state_is_an_error() {
        let adam = AdamConfig::default().build().unwrap();
        let sgd = SgdConfig {
            lr: 0.1,
            momentum: 0.0,
        }
        .build()
        .unwrap();
        let mut p = vec![0.0];
        assert!(adam.step(&mut p, &[1.0], sgd.init_state(1), 0.1).is_err());
        assert!(adam.step(&mut p, &[1.0], adam.init_state(2), 0.1).is_err());
    }

    #[test]
    fn bad_configs_are_rejected() {
        assert!(AdamConfig::with_lr(0.0).build().is_err());
        assert!(
            AdamConfig {
                beta1: 1.0,
                ..AdamConfig::default()
            }
            .build()
            .is_err()
        );
        assert!(
            SgdConfig {
                lr: f64::NAN,
                momentum: 0.0
            }
            .build()
            .is_err()
        );
    }

    #[test]
    fn step_schedule_is_a_staircase() {
        let s = LrSchedule::Step {
            factor: 0.5,
            every: 10,
        };
        assert!((s.rate(1.0, 9) - 1.0).abs() < 1e-15);
        assert!((s.rate(1.0, 10) - 0.5).abs() < 1e-15);
        assert!((s.rate(1.0, 25) - 0.25).abs() < 1e-15);
    }
}
