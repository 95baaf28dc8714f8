//! `yuma epoch run|check`: replay Yuma epoch cases in the conformance-vector format.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use serde::Serialize;
use yuma_epoch::conformance::{self, Carry, Case, ReplayError};
use yuma_epoch::{Error, Input, Output, Params};

use yuma_cli::output;

use crate::args::OutputArgs;
use crate::failure::Refused;

/// Epoch commands.
#[derive(Debug, Subcommand)]
pub(crate) enum EpochCommand {
    /// Run epoch cases and print the outputs of every step.
    ///
    /// FILE holds cases in the format of crates/epoch/tests/vectors/README.md: a `.json` file
    /// with one case, or a `.jsonl` file with one case a line. Any `expected` fields are
    /// ignored. Prints one JSON line per case: `{"id": .., "steps": [{active, stake_weight,
    /// validator_permit, consensus, incentive, dividends, validator_trust, server_emission,
    /// validator_emission, emission, bonds}, ..]}`. A case the epoch refuses (for example a
    /// total stake above i64::MAX rao) prints `{"id": .., "error": ".."}` instead, and the
    /// other cases still run; the exit code is then 1.
    ///
    /// Example: yuma epoch run cases.jsonl
    Run(RunArgs),
    /// Run epoch cases and compare every step with its expected outputs.
    ///
    /// Reports each mismatch (case, step, field, uid, expected, got), each case the epoch
    /// refused, and a summary line. Exits 0 when everything matches, 1 on any mismatch or
    /// refused case, 2 on a file that does not parse.
    ///
    /// Example: yuma epoch check crates/epoch/tests/vectors/edge.jsonl
    Check(CheckArgs),
}

/// Arguments of `yuma epoch run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Cases file: `.json` (one case) or `.jsonl` (one case a line).
    file: PathBuf,
    /// Use the plain reference implementation instead of the fast one.
    #[arg(long)]
    reference: bool,
}

/// Arguments of `yuma epoch check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Cases file with `expected` outputs: `.json` (one case) or `.jsonl` (one case a line).
    file: PathBuf,
    /// Use the plain reference implementation instead of the fast one.
    #[arg(long)]
    reference: bool,
    #[command(flatten)]
    output: OutputArgs,
}

type Epoch = fn(&Params, &Input) -> Result<Output, Error>;

fn implementation(reference: bool) -> Epoch {
    if reference {
        yuma_epoch::reference::run
    } else {
        yuma_epoch::run
    }
}

/// Runs an epoch command.
pub(crate) fn run(command: EpochCommand) -> anyhow::Result<()> {
    match command {
        EpochCommand::Run(args) => run_cases(&args),
        EpochCommand::Check(args) => check_cases(&args),
    }
}

/// Reads and parses a cases file; `.json` is one case, anything else one case a line.
fn read_cases(path: &Path) -> anyhow::Result<Vec<Case>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let cases = if path.extension().is_some_and(|e| e == "json") {
        conformance::parse_case(&text).map(|c| vec![c])
    } else {
        conformance::parse_jsonl(&text)
    };
    cases.with_context(|| format!("malformed case in {}", path.display()))
}

/// One case's outputs, or why it could not be replayed.
#[derive(Serialize)]
struct CaseOutput<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<Output>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn run_cases(args: &RunArgs) -> anyhow::Result<()> {
    let cases = read_cases(&args.file)?;
    let epoch = implementation(args.reference);
    let mut refused = 0;
    for case in &cases {
        let (steps, error) = match refused_case(conformance::replay(case, Carry::Computed, epoch))
            .with_context(|| format!("replaying {}", args.file.display()))?
        {
            Ok(steps) => (Some(steps), None),
            Err(e) => {
                refused += 1;
                eprintln!("yuma: {e}");
                (None, Some(e.to_string()))
            }
        };
        output::json(&CaseOutput {
            id: &case.id,
            steps,
            error,
        })
        .context("writing the outputs")?;
    }
    refusals(refused, cases.len(), &args.file)
}

/// Splits a replay's outcome: a malformed case is the file's error (outer), an input the
/// epoch refuses is only that case's (inner).
fn refused_case(
    replayed: Result<Vec<Output>, ReplayError>,
) -> Result<Result<Vec<Output>, ReplayError>, ReplayError> {
    match replayed {
        Ok(outputs) => Ok(Ok(outputs)),
        Err(e @ ReplayError::Epoch { .. }) => Ok(Err(e)),
        Err(e) => Err(e),
    }
}

/// Exit status of a run in which `refused` of `total` cases could not be replayed.
fn refusals(refused: usize, total: usize, file: &Path) -> anyhow::Result<()> {
    if refused == 0 {
        return Ok(());
    }
    Err(Refused(format!(
        "{refused} of {total} cases in {} could not be replayed",
        file.display()
    ))
    .into())
}

/// One mismatch, located.
#[derive(Serialize)]
struct Located<'a> {
    case: &'a str,
    step: usize,
    #[serde(flatten)]
    mismatch: conformance::Mismatch,
}

/// A case that could not be replayed.
#[derive(Serialize)]
struct CaseError<'a> {
    case: &'a str,
    error: String,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    cases: usize,
    steps: usize,
    ok: bool,
    mismatches: Vec<Located<'a>>,
    errors: Vec<CaseError<'a>>,
}

fn check_cases(args: &CheckArgs) -> anyhow::Result<()> {
    let cases = read_cases(&args.file)?;
    let epoch = implementation(args.reference);
    let mut report = CheckReport {
        cases: cases.len(),
        steps: 0,
        ok: true,
        mismatches: Vec::new(),
        errors: Vec::new(),
    };
    for case in &cases {
        let outputs = match refused_case(conformance::replay(case, Carry::Expected, epoch))
            .with_context(|| format!("replaying {}", args.file.display()))?
        {
            Ok(outputs) => outputs,
            Err(e) => {
                report.errors.push(CaseError {
                    case: &case.id,
                    error: e.to_string(),
                });
                continue;
            }
        };
        for (k, (step, got)) in case.steps.iter().zip(outputs).enumerate() {
            let Some(expected) = &step.expected else {
                continue;
            };
            report.steps += 1;
            for mismatch in conformance::compare(&expected.output, &got) {
                report.mismatches.push(Located {
                    case: &case.id,
                    step: k,
                    mismatch,
                });
            }
        }
    }
    report.ok = report.mismatches.is_empty() && report.errors.is_empty();
    if args.output.json {
        output::json(&report).context("writing the report")?;
    } else {
        let mismatches = report.mismatches.iter().map(|m| {
            let uid = m
                .mismatch
                .uid
                .map_or_else(|| "length".to_string(), |u| format!("uid {u}"));
            format!(
                "case {} step {} {} {uid}: expected {}, got {}",
                m.case, m.step, m.mismatch.field, m.mismatch.expected, m.mismatch.got
            )
        });
        let errors = report.errors.iter().map(|e| e.error.clone());
        let verdict = match (report.mismatches.len(), report.errors.len()) {
            (0, 0) => "all match".to_string(),
            (m, 0) => format!("{m} mismatches"),
            (m, e) => format!("{m} mismatches, {e} cases not replayed"),
        };
        let summary = format!(
            "{} cases, {} steps checked: {verdict}",
            report.cases, report.steps
        );
        output::lines(mismatches.chain(errors).chain([summary])).context("writing to stdout")?;
    }
    if !report.errors.is_empty() {
        return refusals(report.errors.len(), report.cases, &args.file);
    }
    if report.ok {
        Ok(())
    } else {
        Err(Refused(format!(
            "{} mismatches in {}",
            report.mismatches.len(),
            args.file.display()
        ))
        .into())
    }
}
