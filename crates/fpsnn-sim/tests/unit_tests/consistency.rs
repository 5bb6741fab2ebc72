//! Layer sweep vs event queue, and thread-count independence.

use super::bits;
use fpsnn_core::{NeuronParams, Parallelism};
use fpsnn_sim::{Method, SimError, SimOptions, simulate};
use fpsnn_testkit::{feed_forward, random_input};
use rand::SeedableRng;
use rand::rngs::StdRng;

#[test]
fn sweep_and_queue_are_bit_identical_on_feed_forward_nets() {
    let mut rng = StdRng::seed_from_u64(7);
    let params = NeuronParams::try_new(1.0, 0.9, 1.0).unwrap();
    let mut total = 0;
    for case in 0..60 {
        let net = feed_forward(
            &mut rng,
            4,
            &[12, 8, 3],
            params,
            &[(0.8, 1.0), (0.4, 0.8), (0.4, 0.8)],
            12.0,
        );
        let input = random_input(&mut rng, 4, 3, 4.0);
        // no first-spike-only population, the output, or hidden and output (time-to-first-
        // spike networks); with and without stopping after the last first spike (the
        // windowed sweep)
        let first_only = match case % 3 {
            0 => vec![2],
            1 => vec![],
            _ => vec![1, 2],
        };
        let base = SimOptions {
            first_spike_only: first_only,
            stop_when_first_spikes_done: case % 2 == 0,
            ..SimOptions::default()
        };
        let sweep = simulate(&net, &input, &base.clone().with_method(Method::LayerSweep));
        let queue = simulate(&net, &input, &base.with_method(Method::EventQueue));
        let (sweep, queue) = match (sweep, queue) {
            (Ok(sweep), Ok(queue)) => (sweep, queue),
            // runaway activity: both must report it
            (Err(a), Err(b)) => {
                assert!(matches!(a, SimError::SpikeCapExceeded { .. }), "{a}");
                assert!(matches!(b, SimError::SpikeCapExceeded { .. }), "{b}");
                continue;
            }
            (a, b) => panic!("case {case}: sweep {:?} vs queue {:?}", a.err(), b.err()),
        };
        assert_eq!(bits(&sweep), bits(&queue), "case {case}");
        assert_eq!(
            sweep.populations, queue.populations,
            "case {case}: causal record"
        );
        assert_eq!(sweep.t_end.to_bits(), queue.t_end.to_bits(), "case {case}");
        assert_eq!(sweep.tangencies, queue.tangencies, "case {case}");
        total += sweep.num_spikes();
    }
    assert!(
        total > 100,
        "too few spikes ({total}) to be a meaningful comparison"
    );
}

#[test]
fn one_and_two_threads_are_bit_identical() {
    let mut rng = StdRng::seed_from_u64(11);
    let params = NeuronParams::try_new(0.999, 1.0, 1.0).unwrap();
    let net = feed_forward(
        &mut rng,
        5,
        &[150, 3],
        params,
        &[(1.5, 0.8), (2.0, 0.1)],
        4.0,
    );
    let input = random_input(&mut rng, 5, 1, 2.0);
    let opts = SimOptions::default()
        .with_parallelism(Parallelism::Rayon)
        .with_first_spike_only(1);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulate(&net, &input, &opts).unwrap())
    };
    let one = run(1);
    let two = run(2);
    let seq = simulate(
        &net,
        &input,
        &SimOptions::default().with_first_spike_only(1),
    )
    .unwrap();
    assert!(one.num_spikes() > 50);
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(bits(&one), bits(&seq));
}

/// Stopping once every first-spike-only neuron has fired keeps exactly the spikes up to
/// that moment, bit for bit.
#[test]
fn early_stop_is_a_prefix_of_the_full_run() {
    let mut rng = StdRng::seed_from_u64(21);
    let params = NeuronParams::try_new(0.999, 1.0, 1.0).unwrap();
    let mut stopped_early = 0;
    for case in 0..20 {
        let net = feed_forward(
            &mut rng,
            5,
            &[40, 3],
            params,
            &[(1.5, 0.8), (2.0, 0.5)],
            4.0,
        );
        let input = random_input(&mut rng, 5, 1, 2.0);
        let full = simulate(
            &net,
            &input,
            &SimOptions::default().with_first_spike_only(1),
        )
        .unwrap();
        let early = simulate(
            &net,
            &input,
            &SimOptions::default()
                .with_first_spike_only(1)
                .with_early_stop(),
        )
        .unwrap();
        assert_eq!(full.t_end.to_bits(), 4.0f64.to_bits());
        if early.t_end < full.t_end {
            stopped_early += 1;
        }
        for (f, e) in full.populations.iter().zip(&early.populations) {
            for (fs, es) in f.spikes.iter().zip(&e.spikes) {
                let kept: Vec<u64> = fs
                    .iter()
                    .filter(|&&t| t <= early.t_end)
                    .map(|t| t.to_bits())
                    .collect();
                let got: Vec<u64> = es.iter().map(|t| t.to_bits()).collect();
                assert_eq!(kept, got, "case {case}");
            }
        }
        // The layer sweep cuts its trace where the event queue stops: the same trace.
        let swept = simulate(
            &net,
            &input,
            &SimOptions::default()
                .with_first_spike_only(1)
                .with_early_stop()
                .with_method(Method::LayerSweep),
        )
        .unwrap();
        let queued = simulate(
            &net,
            &input,
            &SimOptions::default()
                .with_first_spike_only(1)
                .with_early_stop()
                .with_method(Method::EventQueue),
        )
        .unwrap();
        assert_eq!(swept.t_end.to_bits(), queued.t_end.to_bits(), "case {case}");
        assert_eq!(swept.tangencies, queued.tangencies, "case {case}");
        assert_eq!(bits(&swept), bits(&queued), "case {case}");
        for (s, q) in swept.populations.iter().zip(&queued.populations) {
            assert_eq!(s.prefixes, q.prefixes, "case {case}");
            assert_eq!(s.arrivals, q.arrivals, "case {case}");
        }
    }
    assert!(stopped_early > 10, "{stopped_early}");
}
