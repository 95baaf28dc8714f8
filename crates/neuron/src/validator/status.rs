//! The status file: a JSON snapshot of the validator's view after every step, rewritten
//! atomically (written to a temporary file in the same folder, then renamed over).
//!
//! ```json
//! {"netuid": 1, "scoring": "shapley", "block": 120, "hotkey": "5F...",
//!  "miners": [{"uid": 2, "hotkey": "5G...", "last_score": 0.31, "score_ema": 0.28,
//!              "quality_ema": 0.68, "weight": 65535}]}
//! ```

use std::path::Path;

use serde::Serialize;
use yuma_primitives::{AccountId, NetUid};

use crate::Error;

/// One miner in the status file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinerStatus {
    /// UID.
    pub uid: u16,
    /// Hotkey (SS58).
    pub hotkey: AccountId,
    /// The last step's score in [0, 1].
    pub last_score: f64,
    /// The moving average in [0, 1].
    pub score_ema: f64,
    /// The moving average of its answers' own quality in [0, 1].
    pub quality_ema: f64,
    /// The weight the validator gives it now (u16, largest 65535).
    pub weight: u16,
}

/// The status file's document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    /// Subnet.
    pub netuid: NetUid,
    /// How answers are scored: `shapley` or `independent`.
    pub scoring: &'static str,
    /// Block of the metagraph the step used.
    pub block: u64,
    /// The validator's hotkey.
    pub hotkey: AccountId,
    /// Every scored miner, by UID.
    pub miners: Vec<MinerStatus>,
}

impl Status {
    /// Writes the document to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Status`] when the file cannot be written or renamed.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let failed = |source| Error::Status {
            path: path.to_path_buf(),
            source,
        };
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = std::path::PathBuf::from(tmp);
        let text = serde_json::to_vec_pretty(self).map_err(|e| failed(e.into()))?;
        std::fs::write(&tmp, text).map_err(failed)?;
        std::fs::rename(&tmp, path).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_documented_shape() {
        let dir = std::env::temp_dir().join(format!("yuma-status-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("status.json");
        let status = Status {
            netuid: NetUid(1),
            scoring: "shapley",
            block: 7,
            hotkey: AccountId::from([1; 32]),
            miners: vec![MinerStatus {
                uid: 2,
                hotkey: AccountId::from([2; 32]),
                last_score: 0.5,
                score_ema: 0.25,
                quality_ema: 0.75,
                weight: 65535,
            }],
        };
        status.write(&path).expect("writes");
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("reads")).expect("json");
        assert_eq!(v["netuid"], 1);
        assert_eq!(v["block"], 7);
        assert_eq!(v["hotkey"], AccountId::from([1; 32]).to_ss58());
        assert_eq!(v["miners"][0]["uid"], 2);
        assert_eq!(v["scoring"], "shapley");
        assert_eq!(v["miners"][0]["quality_ema"], 0.75);
        assert_eq!(v["miners"][0]["score_ema"], 0.25);
        assert_eq!(v["miners"][0]["weight"], 65535);
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
