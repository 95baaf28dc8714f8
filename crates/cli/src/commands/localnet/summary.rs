//! What the localnet shows: a live table on stderr while it runs, and the final report
//! (`--json`) with the Spearman rank correlation between the miners' measured quality and
//! their incentive.
//!
//! A miner's *quality* is the mean, over the validators, of the score EMA the validator keeps
//! for it (read from the validators' `--status-file`). Its *emission* is the alpha it earned
//! since every neuron was up: the growth of the stake on its hotkey, where the chain pays
//! incentive. Epochs are counted as the subnet's epoch blocks after the start block.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use yuma_client::Metagraph;
use yuma_primitives::{AccountId, Balance, NetUid};

use super::roster::Role;
use yuma_sim::report::spearman_ppm;

use super::setup::Member;

/// The models whose miners should earn (almost) nothing.
const LOW_QUALITY: [&str; 2] = ["mean", "random"];

/// The chain and the validators' view at one block.
pub(super) struct Snapshot {
    /// The metagraph (its `block` is the head it was read at).
    pub(super) metagraph: Metagraph,
    /// Each miner's quality by hotkey (mean of the validators' score EMAs).
    pub(super) quality: BTreeMap<AccountId, f64>,
}

/// Mean quality EMA (each answer's own quality, whatever the scoring) per miner hotkey over
/// the validators' status files that can be read.
pub(super) fn read_quality(status_files: &[&Path]) -> BTreeMap<AccountId, f64> {
    let mut sums: BTreeMap<AccountId, (f64, u32)> = BTreeMap::new();
    for path in status_files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for miner in doc["miners"].as_array().into_iter().flatten() {
            let hotkey = miner["hotkey"]
                .as_str()
                .and_then(|s| AccountId::from_ss58(s).ok());
            if let (Some(hotkey), Some(ema)) = (hotkey, miner["quality_ema"].as_f64()) {
                let entry = sums.entry(hotkey).or_default();
                entry.0 += ema;
                entry.1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(k, (sum, n))| (k, sum / f64::from(n)))
        .collect()
}

/// Where the run started: the block every neuron was up at and each hotkey's stake then.
pub(super) struct Baseline {
    /// First block of the run.
    pub(super) block: u64,
    stakes: BTreeMap<AccountId, u64>,
}

impl Baseline {
    /// The baseline at `metagraph`'s block.
    pub(super) fn new(metagraph: &Metagraph) -> Self {
        Self {
            block: metagraph.block,
            stakes: metagraph
                .neurons
                .iter()
                .map(|n| (n.hotkey, n.stake))
                .collect(),
        }
    }

    fn earned(&self, hotkey: &AccountId, stake: u64) -> u64 {
        stake.saturating_sub(self.stakes.get(hotkey).copied().unwrap_or(0))
    }
}

/// Epoch blocks of subnet `netuid` in `(from, to]` (as the runtime's `is_epoch_block`).
pub(super) fn epochs_between(netuid: NetUid, tempo: u16, from: u64, to: u64) -> u64 {
    let index = |b: u64| yuma_runtime::issuance::epoch_index(netuid.0, tempo, b.saturating_add(1));
    index(to).saturating_sub(index(from))
}

/// Blocks from `block` to the next epoch block of the subnet (1 when the next block is one).
pub(super) fn blocks_to_next_epoch(netuid: NetUid, tempo: u16, block: u64) -> u64 {
    let period = u64::from(tempo) + 1;
    // Epoch blocks are those with (b + netuid + 2) % period == 0.
    let phase = (block + u64::from(netuid.0) + 2) % period;
    period - phase
}

/// One miner's line of the report.
struct MinerRow<'a> {
    member: &'a Member,
    model: &'static str,
    incentive: u16,
    emission: u64,
    quality: Option<f64>,
    /// A sybil of the forest miner (it and its coldkey's other miners are left out of the
    /// honest miners' Spearman).
    sybil: bool,
}

/// Everything the table and the report show.
pub(super) struct Report<'a> {
    netuid: NetUid,
    tempo: u16,
    block: u64,
    blocks: u64,
    epochs: u64,
    miners: Vec<MinerRow<'a>>,
    validators: Vec<(&'a Member, u16, u64, u64)>,
}

impl<'a> Report<'a> {
    /// The report at `snapshot` for the run that started at `baseline`.
    pub(super) fn new(
        members: &'a [Member],
        netuid: NetUid,
        tempo: u16,
        baseline: &Baseline,
        snapshot: &Snapshot,
    ) -> Self {
        let block = snapshot.metagraph.block;
        let neuron = |m: &Member| {
            snapshot
                .metagraph
                .neurons
                .iter()
                .find(|n| n.hotkey == m.hotkey)
        };
        let mut miners = Vec::new();
        let mut validators = Vec::new();
        for m in members {
            let n = neuron(m);
            let stake = n.map_or(0, |n| n.stake);
            match m.neuron.role {
                Role::Miner { model, sybil, .. } => miners.push(MinerRow {
                    member: m,
                    model,
                    sybil,
                    incentive: n.map_or(0, |n| n.incentive),
                    emission: baseline.earned(&m.hotkey, stake),
                    quality: snapshot.quality.get(&m.hotkey).copied(),
                }),
                Role::Validator { .. } => validators.push((
                    m,
                    n.map_or(0, |n| n.dividends),
                    stake,
                    baseline.earned(&m.hotkey, stake),
                )),
            }
        }
        Self {
            netuid,
            tempo,
            block,
            blocks: block.saturating_sub(baseline.block),
            epochs: epochs_between(netuid, tempo, baseline.block, block),
            miners,
            validators,
        }
    }

    /// Epochs since the start.
    pub(super) fn epochs(&self) -> u64 {
        self.epochs
    }

    /// Blocks since the start.
    pub(super) fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Spearman correlation of quality and incentive over the honest miners with a known
    /// quality: every miner but those of a coldkey that runs sybils.
    fn spearman(&self) -> Option<f64> {
        let sybil_wallets: Vec<&str> = self
            .miners
            .iter()
            .filter(|m| m.sybil)
            .map(|m| m.member.neuron.wallet.as_str())
            .collect();
        // Quality in parts per million: the ranks are what count.
        let (quality, incentive): (Vec<u64>, Vec<u64>) = self
            .miners
            .iter()
            .filter(|m| !sybil_wallets.contains(&m.member.neuron.wallet.as_str()))
            .filter_map(|m| Some(((m.quality? * 1e6).round() as u64, u64::from(m.incentive))))
            .unzip();
        (quality.len() >= 2).then(|| spearman_ppm(&quality, &incentive) as f64 / 1e6)
    }

    /// Share of the miners' emission earned by the mean and random miners.
    fn low_quality_share(&self) -> Option<f64> {
        self.share_of(|m| LOW_QUALITY.contains(&m.model))
    }

    /// Share of the miners' emission earned by the forest miner and its sybils together.
    fn forest_share(&self) -> Option<f64> {
        self.share_of(|m| m.model == "forest")
    }

    /// Share of the miners' emission earned by the miners `which` picks; `None` when it picks
    /// none or nothing was earned.
    fn share_of(&self, which: impl Fn(&MinerRow<'_>) -> bool) -> Option<f64> {
        if !self.miners.iter().any(&which) {
            return None;
        }
        let total: u64 = self.miners.iter().map(|m| m.emission).sum();
        let picked: u64 = self
            .miners
            .iter()
            .filter(|m| which(m))
            .map(|m| m.emission)
            .sum();
        (total > 0).then(|| picked as f64 / total as f64)
    }

    /// How many sybils the forest miner has.
    fn sybils(&self) -> usize {
        self.miners.iter().filter(|m| m.sybil).count()
    }

    /// The table for people, with `urls` of the miners by name and `time_per_block_ms`.
    pub(super) fn table(&self, urls: &BTreeMap<String, String>, block_time_ms: u64) -> String {
        let next = blocks_to_next_epoch(self.netuid, self.tempo, self.block);
        let mut out = format!(
            "block {} | epoch {} of this run | next epoch in {next} blocks (~{:.1} s) | subnet {}\n",
            self.block,
            self.epochs,
            (next * block_time_ms) as f64 / 1000.0,
            self.netuid.0,
        );
        // Names from a config file may be longer than the defaults.
        let w = self
            .miners
            .iter()
            .map(|m| m.member.neuron.name.len())
            .chain(self.validators.iter().map(|v| v.0.neuron.name.len()))
            .max()
            .unwrap_or(0)
            .max(14);
        out.push_str(&format!(
            "  {:<w$} {:>4} {:>9} {:>16} {:>8}  {}\n",
            "miner", "uid", "incentive", "earned (alpha)", "quality", "url"
        ));
        for m in &self.miners {
            out.push_str(&format!(
                "  {:<w$} {:>4} {:>9.4} {:>16} {:>8}  {}\n",
                m.member.neuron.name,
                m.member.uid,
                f64::from(m.incentive) / f64::from(u16::MAX),
                Balance(m.emission),
                m.quality.map_or("-".to_owned(), |q| format!("{q:.3}")),
                urls.get(&m.member.neuron.name)
                    .map_or("(down)", String::as_str),
            ));
        }
        out.push_str(&format!(
            "  {:<w$} {:>4} {:>9} {:>16} {:>18}\n",
            "validator", "uid", "dividends", "earned (alpha)", "stake (alpha)"
        ));
        for (m, dividends, stake, earned) in &self.validators {
            out.push_str(&format!(
                "  {:<w$} {:>4} {:>9.4} {:>16} {:>18}\n",
                m.neuron.name,
                m.uid,
                f64::from(*dividends) / f64::from(u16::MAX),
                Balance(*earned),
                Balance(*stake),
            ));
        }
        let measures = match (self.spearman(), self.low_quality_share()) {
            (Some(rho), Some(low)) => format!(
                "  spearman(quality, incentive) = {rho:.3}; mean+random earn {:.1}% of miner emission\n",
                low * 100.0
            ),
            (Some(rho), None) => format!("  spearman(quality, incentive) = {rho:.3}\n"),
            _ => String::new(),
        };
        out.push_str(&measures);
        if let (n @ 1.., Some(share)) = (self.sybils(), self.forest_share()) {
            out.push_str(&format!(
                "  forest and its {n} sybils earn {:.1}% of miner emission\n",
                share * 100.0
            ));
        }
        out
    }

    /// The final JSON document (`--json`).
    pub(super) fn json(&self, rpc: &str, urls: &BTreeMap<String, String>) -> Value {
        json!({
            "rpc": rpc,
            "metrics": format!("{rpc}/metrics"),
            "netuid": self.netuid.0,
            "tempo": self.tempo,
            "block": self.block,
            "blocks": self.blocks,
            "epochs": self.epochs,
            "miners": self.miners.iter().map(|m| json!({
                "name": m.member.neuron.name,
                "model": m.model,
                "uid": m.member.uid,
                "hotkey": m.member.hotkey,
                "url": urls.get(&m.member.neuron.name),
                "incentive": m.incentive,
                "emission": m.emission,
                "quality": m.quality,
                "sybil": m.sybil,
            })).collect::<Vec<_>>(),
            "validators": self.validators.iter().map(|(m, dividends, stake, earned)| json!({
                "name": m.neuron.name,
                "uid": m.uid,
                "hotkey": m.hotkey,
                "dividends": dividends,
                "stake": stake,
                "emission": earned,
            })).collect::<Vec<_>>(),
            "spearman": self.spearman(),
            "low_quality_share": self.low_quality_share(),
            "forest_share": self.forest_share(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_blocks_match_the_runtime() {
        let netuid = NetUid(1);
        let tempo = 20;
        for from in 0..60u64 {
            for to in from..from + 60 {
                let counted = (from + 1..=to)
                    .filter(|&b| yuma_runtime::issuance::is_epoch_block(1, tempo, b))
                    .count() as u64;
                assert_eq!(epochs_between(netuid, tempo, from, to), counted);
            }
            let next = blocks_to_next_epoch(netuid, tempo, from);
            assert!(yuma_runtime::issuance::is_epoch_block(
                1,
                tempo,
                from + next
            ));
            assert!(
                (from + 1..from + next)
                    .all(|b| !yuma_runtime::issuance::is_epoch_block(1, tempo, b))
            );
        }
    }

    #[test]
    fn quality_is_the_mean_over_validators() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let a = AccountId::from_ss58("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
            .expect("valid");
        let b = AccountId::from_ss58("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
            .expect("valid");
        let doc = |ea: f64, eb: f64| {
            json!({"netuid": 1, "block": 5, "hotkey": a, "miners": [
                {"uid": 1, "hotkey": a, "last_score": 0.0, "quality_ema": ea, "weight": 0},
                {"uid": 2, "hotkey": b, "last_score": 0.0, "quality_ema": eb, "weight": 0},
            ]})
            .to_string()
        };
        let (p, q, r) = (
            dir.path().join("p.json"),
            dir.path().join("q.json"),
            dir.path().join("missing.json"),
        );
        std::fs::write(&p, doc(0.5, 0.25)).expect("writes");
        std::fs::write(&q, doc(0.75, 0.0)).expect("writes");
        let quality = read_quality(&[&p, &q, &r]);
        assert_eq!(quality.get(&a), Some(&0.625));
        assert_eq!(quality.get(&b), Some(&0.125));
    }
}
