//! Runs the fast epoch on one synthetic workload a few times, for profilers (callgrind, perf):
//! `cargo run --release -p yuma-epoch --example epoch_driver -- VALIDATORS MINERS VARIANT RUNS`
//! where VARIANT is `classic`, `yuma3` or `liquid`. Prints the minimum and median thread time.

use std::time::Instant;

use yuma_epoch::workload::{Variant, Workload};

// Timing the epoch from outside is this driver's purpose; the epoch itself reads no clock.
#[allow(clippy::disallowed_methods)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: usize| {
        args.get(i)
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let validators = arg(0, 64);
    let miners = arg(1, 4096);
    let variant = match args.get(2).map(String::as_str) {
        Some("yuma3") => Variant::Yuma3,
        Some("liquid") => Variant::Yuma3LiquidAlpha,
        _ => Variant::Classic,
    };
    let runs = arg(3, 1).max(1);
    let (params, input) = Workload {
        validators,
        miners,
        variant,
        seed: 42,
    }
    .build();
    let mut times = Vec::with_capacity(runs);
    let mut check = 0u64;
    for _ in 0..runs {
        let start = Instant::now();
        let out = yuma_epoch::run(&params, &input).expect("valid workload");
        times.push(start.elapsed());
        check = check.wrapping_add(out.emission.iter().sum::<u64>());
    }
    times.sort();
    println!(
        "{} {validators}x{miners}: min {:?} median {:?} (checksum {check})",
        variant.name(),
        times[0],
        times[runs / 2]
    );
}
