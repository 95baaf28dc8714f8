//! Reports for people: a text table per run and a Markdown table comparing runs.

use std::fmt::Write;

use crate::answers::{ROWS, SHARED_ERROR};
use crate::engine::{ANTI_COPY_PENALTY, RAO_PER_TAO, Role};
use crate::ensemble::NEAR;
use crate::error::Error;
use crate::report::{Measures, Report};
use crate::scenario::{self, Scenario, Scoring, Variant};

/// `123456` ppm as `12.35%`.
pub fn percent(ppm: u64) -> String {
    let hundredths = (ppm + 50) / 100;
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

/// `934_123` ppm as `0.934`.
pub fn ratio(ppm: u64) -> String {
    let thousandths = (ppm + 500) / 1000;
    format!("{}.{:03}", thousandths / 1000, thousandths % 1000)
}

/// A signed ppm value as `-0.512`.
fn signed_ratio(ppm: i64) -> String {
    let sign = if ppm < 0 { "-" } else { "" };
    format!("{sign}{}", ratio(ppm.unsigned_abs()))
}

/// Rao as TAO with four decimals.
fn tao(rao: u64) -> String {
    let tenk = (rao + RAO_PER_TAO / 20_000) / (RAO_PER_TAO / 10_000);
    format!("{}.{:04}", tenk / 10_000, tenk % 10_000)
}

/// The measure that matters for this run, named, e.g. `G = 0.934`.
pub fn headline(m: &Measures) -> String {
    let mut parts = Vec::new();
    if let Some(g) = m.copier_gain_ppm {
        parts.push(format!("G = {}", ratio(g)));
    }
    if let Some(c) = m.cabal_miner_share_ppm {
        parts.push(format!("cabal miners get {} of miner emission", percent(c)));
    }
    if let Some(g) = m.sybil_gain_ppm {
        parts.push(format!("sybil gain = {}", ratio(g)));
    }
    if let Some(r) = m.random_miner_share_ppm {
        parts.push(format!(
            "random miners get {} of miner emission",
            percent(r)
        ));
    }
    if let Some(l) = m.late_joiner_ratio_ppm {
        parts.push(format!("late/honest dividends per stake = {}", ratio(l)));
    }
    if parts.is_empty() {
        parts.push("-".to_owned());
    }
    parts.join("; ")
}

/// Lowest-highest honest dividends per stake relative to all honest validators', `0.95-1.04`.
fn spread(m: &Measures) -> String {
    m.honest_spread_ppm.map_or_else(
        || "-".to_owned(),
        |(lo, hi)| format!("{}-{}", ratio(lo), ratio(hi)),
    )
}

/// The per-run text table: validators one a line, miners one line per strategy.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  variant {}  scoring {}  reveal delay {}  epochs {}  seed {}\n",
        r.scenario,
        r.variant.name(),
        r.scoring.name(),
        r.reveal_delay,
        r.epochs,
        r.seed
    );
    let _ = writeln!(
        out,
        "{:<10} {:<28} {:>11} {:>14} {:>22}",
        "agent", "strategy", "stake share", "emission share", "dividends/1000 TAO/tempo"
    );
    for a in r
        .agents
        .iter()
        .filter(|a| matches!(a.role, Role::Validator(_)))
    {
        let _ = writeln!(
            out,
            "{:<10} {:<28} {:>11} {:>14} {:>22}",
            format!("uid {}", a.uid),
            a.label,
            percent(a.stake_share_ppm),
            percent(a.emission_share_ppm),
            tao(a.dividends_per_1000_tao_rao)
        );
    }
    let mut labels: Vec<&str> = Vec::new();
    for a in r.agents.iter().filter(|a| matches!(a.role, Role::Miner(_))) {
        if !labels.contains(&a.label.as_str()) {
            labels.push(&a.label);
        }
    }
    for label in labels {
        let group: Vec<_> = r.agents.iter().filter(|a| a.label == label).collect();
        let (first, last) = (group[0].uid, group[group.len() - 1].uid);
        let _ = writeln!(
            out,
            "{:<10} {:<28} {:>11} {:>14} {:>22}",
            format!("uids {first}-{last}"),
            format!("{label} x{}", group.len()),
            percent(0),
            percent(group.iter().map(|a| a.emission_share_ppm).sum()),
            "-"
        );
    }
    let m = &r.measures;
    let _ = writeln!(
        out,
        "\nadversary stake share {}, emission share {}",
        percent(m.adversary_stake_ppm),
        percent(m.adversary_emission_ppm)
    );
    let _ = writeln!(out, "measures: {}", headline(m));
    let _ = writeln!(
        out,
        "honest validators: {} per 1000 TAO per tempo, single validators {} of that",
        tao(m.honest_dividends_per_1000_tao_rao),
        spread(m)
    );
    let _ = writeln!(
        out,
        "Spearman(true quality, incentive) = {} (honest miners: {})",
        signed_ratio(m.spearman_ppm),
        signed_ratio(m.honest_miner_spearman_ppm)
    );
    out
}

/// The scenarios `yuma sim --all` also runs under Shapley scoring, to compare with
/// independent scoring side by side.
pub const SHAPLEY_SWEEP: [&str; 6] = [
    "sybil-k1",
    "sybil-k4",
    "sybil-noisy-k4",
    "sybil-evasive-k4",
    "honest",
    "random",
];

/// Every run of `yuma sim --all`: each built-in scenario under each variant at its own
/// reveal delay with its own scoring, the copier scenarios at every delay 0..=3, and the
/// [`SHAPLEY_SWEEP`] scenarios again under Shapley scoring.
pub fn sweep() -> Result<Vec<Scenario>, Error> {
    let mut runs = Vec::new();
    let builtin = scenario::builtin()?;
    for base in &builtin {
        let delays: Vec<u64> = if base.name.starts_with("copier") {
            (0..=3).collect()
        } else {
            vec![base.reveal_delay]
        };
        for variant in Variant::ALL {
            for &reveal_delay in &delays {
                runs.push(Scenario {
                    variant,
                    reveal_delay,
                    ..base.clone()
                });
            }
        }
    }
    for name in SHAPLEY_SWEEP {
        for base in builtin.iter().filter(|s| s.name == name) {
            for variant in Variant::ALL {
                runs.push(Scenario {
                    variant,
                    scoring: Scoring::Shapley,
                    ..base.clone()
                });
            }
        }
    }
    Ok(runs)
}

/// The Markdown comparison: one row per independently scored run, then the Shapley-scored
/// runs side by side with the same runs scored independently.
pub fn markdown(reports: &[Report]) -> String {
    let (independent, shapley): (Vec<&Report>, Vec<&Report>) = reports
        .iter()
        .partition(|r| r.scoring == Scoring::Independent);
    let mut out = String::from(
        "| scenario | variant | reveal delay | adversary stake | adversary emission | measure | honest spread | Spearman |\n\
         |---|---|---:|---:|---:|---|---:|---:|\n",
    );
    for r in &independent {
        let m = &r.measures;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.variant.name(),
            r.reveal_delay,
            percent(m.adversary_stake_ppm),
            percent(m.adversary_emission_ppm),
            headline(m),
            spread(m),
            signed_ratio(m.spearman_ppm)
        );
    }
    let _ = writeln!(
        out,
        "\nThe `*-anticopy` variants run the anti weight-copying stage (`yuma_epoch::anticopy`) \
         with penalty {ANTI_COPY_PENALTY} (0.6). On chain it is the subnet hyperparameter \
         `anti_copy_penalty` (0 = off, the default), set by the subnet owner: \
         `yuma subnet set NETUID --param anti_copy_penalty --value {ANTI_COPY_PENALTY}`."
    );
    if !shapley.is_empty() {
        out.push_str(&shapley_section(&independent, &shapley));
    }
    out
}

/// The Shapley-scored runs next to the same runs scored independently: the measure and the
/// honest miners' Spearman under each, then what the mechanism does, costs and misses.
fn shapley_section(independent: &[&Report], shapley: &[&Report]) -> String {
    let mut out = String::from(
        "\n## Sybils and Shapley scoring\n\n\
         | scenario | variant | independent scoring | Shapley scoring | honest miners' Spearman, independent | honest miners' Spearman, Shapley |\n\
         |---|---|---|---|---:|---:|\n",
    );
    for r in shapley {
        let plain = independent.iter().find(|i| {
            (&i.scenario, i.variant, i.reveal_delay) == (&r.scenario, r.variant, r.reveal_delay)
        });
        let (measure, spearman) = plain.map_or(("-".to_owned(), "-".to_owned()), |i| {
            (
                headline(&i.measures),
                signed_ratio(i.measures.honest_miner_spearman_ppm),
            )
        });
        let _ = writeln!(
            out,
            "| {} | {} | {measure} | {} | {spearman} | {} |",
            r.scenario,
            r.variant.name(),
            headline(&r.measures),
            signed_ratio(r.measures.honest_miner_spearman_ppm)
        );
    }
    let near = NEAR * 100.0;
    let _ = write!(
        out,
        "\nSybil gain is the sybil group's miner emission divided by that of the same model under \
         one hotkey, in a companion run identical except that the group has count 1. Scored \
         independently, each hotkey earns what the model earns, so k hotkeys earn about k times \
         as much. Scored by Shapley value (as the tabular validators do by default), \
         each miner earns its marginal contribution to the quality of the ensemble of all answers \
         to the tempo's challenge ({ROWS} regression rows; a model of true quality q predicts with \
         R^2 about q, its error {:.0}% shared with every other model): answers whose mean \
         squared difference is at most {near:.0}% of the targets' variance are copies, play as one \
         player and share its value, so k copies earn what one would. The values are exact up to \
         {} distinct answers and sampled from {} walks above; 256 miners take about 40 ms per \
         step on one core (`cargo bench -p yuma-subnets`).\n\n\
         Known limits. Miners that coordinate different answers (a cartel splitting the work so \
         that each adds something) are not caught: each is paid for what it adds. Sampled values \
         have variance (the estimate reports its standard error; the validators' moving average \
         smooths it across steps). The copy threshold is absolute, which cuts both ways. A copy \
         with more noise than the threshold counts as a different, worse model: it earns less \
         than the original, since its noise makes it worse, but in an ensemble of many models a \
         second model adds about as much as the first, so k such copies together earn nearly k \
         times as much (sybil-evasive-k4: noise of 15% of the targets' spread costs each copy \
         about 2 points of R^2). And models so good that they differ by less than the threshold \
         are merged as copies and share one model's credit: any two with R^2 above {:.3} \
         whatever their errors, in this answer model two of equal quality above {:.3}. That \
         lowers the honest miners' Spearman where several models are that good.\n",
        SHARED_ERROR * 100.0,
        yuma_shapley::EXACT_MAX,
        yuma_shapley::WALKS,
        1.0 - NEAR / 4.0,
        1.0 - NEAR / (2.0 * (1.0 - SHARED_ERROR)),
    );
    out
}

/// An SVG line chart of the scenario's agents' emission share per tempo (solid) against their
/// stake share (dashed), 0-100% on the vertical axis.
pub fn svg(r: &Report) -> String {
    const W: u64 = 640;
    const H: u64 = 320;
    const PAD: u64 = 40;
    let (pw, ph) = (W - 2 * PAD, H - 2 * PAD);
    let n = r.adversary_series_ppm.len().max(2) as u64 - 1;
    let y = |ppm: u64| PAD + ph - ph * ppm.min(1_000_000) / 1_000_000;
    let points: Vec<String> = r
        .adversary_series_ppm
        .iter()
        .enumerate()
        .map(|(e, &ppm)| format!("{},{}", PAD + pw * e as u64 / n, y(ppm)))
        .collect();
    let stake_y = y(r.measures.adversary_stake_ppm);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n\
         <text x=\"{PAD}\" y=\"20\">{} ({}, reveal delay {}): emission share of the scenario's agents per tempo</text>\n",
        r.scenario,
        r.variant.name(),
        r.reveal_delay
    );
    for pct in [0u64, 25, 50, 75, 100] {
        let gy = y(pct * 10_000);
        let _ = writeln!(
            out,
            "<line x1=\"{PAD}\" y1=\"{gy}\" x2=\"{}\" y2=\"{gy}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{}\">{pct}%</text>",
            PAD + pw,
            gy + 4
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{PAD}\" y1=\"{stake_y}\" x2=\"{}\" y2=\"{stake_y}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>",
        PAD + pw
    );
    let _ = writeln!(
        out,
        "<polyline fill=\"none\" stroke=\"#c33\" stroke-width=\"2\" points=\"{}\"/>",
        points.join(" ")
    );
    let _ = writeln!(
        out,
        "<text x=\"{PAD}\" y=\"{}\">tempo 0 .. {} (dashed: stake share)</text>\n</svg>",
        H - 10,
        r.epochs.saturating_sub(1)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_render_rounded() {
        assert_eq!(percent(123_456), "12.35%");
        assert_eq!(percent(1_000_000), "100.00%");
        assert_eq!(ratio(934_499), "0.934");
        assert_eq!(ratio(999_500), "1.000");
        assert_eq!(signed_ratio(-512_000), "-0.512");
        assert_eq!(tao(1_234_500_000), "1.2345");
    }

    #[test]
    fn svg_has_one_point_per_tempo() {
        let s = crate::scenario::builtin().expect("valid")[1].clone();
        let r = crate::run(&Scenario { epochs: 5, ..s }).expect("runs");
        let chart = svg(&r);
        assert!(chart.starts_with("<svg") && chart.ends_with("</svg>\n"));
        let points = chart.split("points=\"").nth(1).expect("polyline");
        assert_eq!(
            points.split('"').next().map(|p| p.split(' ').count()),
            Some(5)
        );
    }
}
