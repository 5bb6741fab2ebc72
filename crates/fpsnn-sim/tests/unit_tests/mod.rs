mod bad_input;
mod closed_form;
mod consistency;
mod kernels;
mod properties;
mod sparse;

/// Every spike time's bits, `[population][neuron][spike]`.
fn bits(trace: &fpsnn_sim::SimTrace) -> Vec<Vec<Vec<u64>>> {
    trace
        .populations
        .iter()
        .map(|p| {
            p.spikes
                .iter()
                .map(|s| s.iter().map(|t| t.to_bits()).collect())
                .collect()
        })
        .collect()
}
