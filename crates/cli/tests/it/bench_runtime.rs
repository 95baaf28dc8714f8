//! `yuma bench runtime`.

use crate::util::{yuma_err, yuma_ok};

#[test]
fn reports_rates_as_one_json_document() {
    let out = yuma_ok(&[
        "bench",
        "runtime",
        "--transfers",
        "20",
        "--weights",
        "10",
        "--uids",
        "8",
        "--validators",
        "2",
        "--json",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    for field in [
        "transfers_per_second",
        "set_weights_per_second",
        "epoch_block_micros",
    ] {
        assert!(report[field].as_u64().is_some(), "{field} in {report}");
    }
    assert_eq!(report["uids"], 8);
}

#[test]
fn rejects_a_subnet_too_small() {
    let err = yuma_err(&["bench", "runtime", "--uids", "1"], 2);
    assert!(err.starts_with("yuma: --uids must be at least 2"), "{err}");
}
