//! `yuma sim`: run incentive-gaming scenarios on the real epoch and report who earns what.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use yuma_sim::scenario::{self, Scenario};
use yuma_sim::{Scoring, Variant, format};

use crate::args::OutputArgs;
use yuma_cli::output;

/// Arguments of `yuma sim`.
#[derive(Debug, Args)]
pub(crate) struct SimArgs {
    /// Scenario file (TOML), or the name of a built-in one (`copier`, `cabal-30`, ..).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    scenario: Option<String>,
    /// Run every built-in scenario under every variant and print a Markdown report.
    #[arg(long)]
    all: bool,
    /// Write the `--all` report to FILE instead of stdout.
    #[arg(long, value_name = "FILE", requires = "all")]
    out: Option<PathBuf>,
    /// Tempos to run, overriding the scenario's.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=scenario::MAX_EPOCHS))]
    epochs: Option<u64>,
    /// Mechanism, overriding the scenario's: classic, yuma3, yuma3-liquid, yuma3-anticopy or
    /// yuma3-liquid-anticopy.
    #[arg(long, value_parser = parse_variant)]
    variant: Option<Variant>,
    /// How validators score miners, overriding the scenario's: independent (each by its own
    /// quality) or shapley (each by what it adds to the ensemble of all answers, so copies
    /// share one model's credit).
    #[arg(long, value_parser = parse_scoring, conflicts_with = "all")]
    scoring: Option<Scoring>,
    /// Commit-reveal delay in tempos, overriding the scenario's.
    #[arg(long, value_name = "TEMPOS", value_parser = clap::value_parser!(u64).range(0..=scenario::MAX_REVEAL_DELAY))]
    reveal_delay: Option<u64>,
    /// Also write an SVG chart of the scenario's agents' emission share per tempo to FILE.
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    chart: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

fn parse_variant(s: &str) -> Result<Variant, String> {
    s.parse().map_err(|e: yuma_sim::Error| e.to_string())
}

fn parse_scoring(s: &str) -> Result<Scoring, String> {
    s.parse().map_err(|e: yuma_sim::Error| e.to_string())
}

/// Reads a scenario from a file, or from the built-in set by name.
fn load(name: &str) -> anyhow::Result<Scenario> {
    let path = PathBuf::from(name);
    let text = if path.exists() {
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?
    } else {
        let file = format!("{}.toml", name.trim_end_matches(".toml"));
        match scenario::BUILTIN.iter().find(|(f, _)| *f == file) {
            Some((_, text)) => (*text).to_owned(),
            None => bail!("no scenario file or built-in scenario named {name:?}"),
        }
    };
    Scenario::from_toml(&text).with_context(|| format!("reading scenario {name}"))
}

/// Runs `yuma sim`.
pub(crate) fn run(args: SimArgs) -> anyhow::Result<()> {
    if args.all {
        return run_all(&args);
    }
    let name = args.scenario.as_deref().unwrap_or_default();
    let mut s = load(name)?;
    if let Some(epochs) = args.epochs {
        s.epochs = epochs;
    }
    if let Some(variant) = args.variant {
        s.variant = variant;
    }
    if let Some(scoring) = args.scoring {
        s.scoring = scoring;
    }
    if let Some(delay) = args.reveal_delay {
        s.reveal_delay = delay;
    }
    let report = yuma_sim::run(&s).with_context(|| format!("running scenario {}", s.name))?;
    if let Some(path) = &args.chart {
        std::fs::write(path, format::svg(&report))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.output.json {
        output::json(&report)?;
    } else {
        print!("{}", format::table(&report));
    }
    Ok(())
}

fn run_all(args: &SimArgs) -> anyhow::Result<()> {
    let mut reports = Vec::new();
    for mut s in format::sweep().context("reading the built-in scenarios")? {
        if let Some(epochs) = args.epochs {
            s.epochs = epochs;
        }
        eprintln!(
            "running {} ({}, {} scoring, reveal delay {})",
            s.name,
            s.variant.name(),
            s.scoring.name(),
            s.reveal_delay
        );
        reports.push(yuma_sim::run(&s).with_context(|| format!("running scenario {}", s.name))?);
    }
    if args.output.json {
        output::json(&reports)?;
        return Ok(());
    }
    let text = format::markdown(&reports);
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print!("{text}"),
    }
    Ok(())
}
