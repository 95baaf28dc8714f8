use yuma_epoch::workload::{Variant, Workload};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let v = match args[1].as_str() {
        "c" => Variant::Classic,
        "y" => Variant::Yuma3,
        _ => Variant::Yuma3LiquidAlpha,
    };
    let runs: usize = args[2].parse().unwrap();
    let validators: usize = args.get(3).map_or(64, |s| s.parse().unwrap());
    let miners: usize = args.get(4).map_or(4096, |s| s.parse().unwrap());
    let (p, i) = Workload {
        validators,
        miners,
        variant: v,
        seed: 42,
    }
    .build();
    let mut times = vec![];
    let cpu = || -> u64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let mut cpus = vec![];
    for _ in 0..runs {
        let c = cpu();
        let t = std::time::Instant::now();
        std::hint::black_box(yuma_epoch::run(&p, &i).unwrap());
        times.push(t.elapsed());
        cpus.push(cpu() - c);
    }
    cpus.sort();
    println!(
        "cpu min {} us median {} us",
        cpus[0] / 1000,
        cpus[runs / 2] / 1000
    );
    times.sort();
    println!("{:?} min {:?} median {:?}", v, times[0], times[runs / 2]);
}
