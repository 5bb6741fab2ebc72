//! Network and input JSON parsing: never panics; a parsed network survives a round trip
//! through `to_json`; a small parsed network simulates on a parsed input without panicking.
//!
//! The input is split at the first `\n%\n`: the part before is parsed as a network, the part
//! after as input spikes (both parsers also see the whole text).
#![no_main]

use fpsnn::sim::{InputSpikes, Network, SimOptions, simulate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Network::from_json(text);
    let _ = InputSpikes::from_json(text);
    let (net_text, input_text) = text.split_once("\n%\n").unwrap_or((text, ""));
    let Ok(net) = Network::from_json(net_text) else {
        return;
    };
    let again = Network::from_json(&net.to_json()).expect("to_json output parses");
    assert_eq!(again, net, "round trip changed the network");
    let Ok(input) = InputSpikes::from_json(input_text) else {
        return;
    };
    let neurons: usize = net.populations().iter().map(|p| p.size()).sum();
    if neurons <= 32 && net.inputs() <= 32 && net.max_spikes_per_neuron() <= 200 {
        let _ = simulate(&net, &input, &SimOptions::default());
    }
});
