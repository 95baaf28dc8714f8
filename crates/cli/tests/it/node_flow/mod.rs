//! A subnet's life on the real `yuma node --dev`, driven by the CLI: create (tempo set by
//! sudo), register, stake, commit and reveal weights, run epochs, and check that incentive and
//! emission are paid and that balances, pools, fees and issuance add up to the rao.

mod anticopy;
mod identity;

use serde_json::{Value, json};

use crate::node::{DevNode, cli};
use crate::util::{yuma, yuma_err};

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const CHARLIE: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";
const DEV_ACCOUNTS: [&str; 6] = [
    ALICE,
    BOB,
    CHARLIE,
    "5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
    "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
    "5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL",
];
const DEV_BALANCE: u128 = 1_000_000_000_000_000;
const TEMPO: u64 = 12;

/// `yuma args` against `node`: Ok(JSON) on exit 0, Err(stderr) on a refusal (exit 1).
fn try_cli(node: &DevNode, args: &[&str]) -> Result<Value, String> {
    let output = yuma()
        .args(args)
        .args(["--rpc", &node.url, "--json"])
        .output()
        .expect("the yuma binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => Ok(serde_json::from_slice(&output.stdout).expect("one JSON document")),
        Some(1) => Err(stderr),
        other => panic!("yuma {args:?} exited with {other:?}: {stderr}"),
    }
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn neuron<'a>(graph: &'a Value, hotkey: &str) -> &'a Value {
    graph["neurons"]
        .as_array()
        .expect("neurons")
        .iter()
        .find(|n| n["hotkey"] == json!(hotkey))
        .unwrap_or_else(|| panic!("{hotkey} is not in {graph}"))
}

/// Commits Alice's weights (all on `uid`) and reveals them in the next epoch; commits again
/// when the reveal window was missed.
fn commit_and_reveal(node: &DevNode, uid: u16) {
    let row = [
        "--netuid",
        "1",
        "--uids",
        &uid.to_string(),
        "--weights",
        "65535",
    ];
    for attempt in 0..5 {
        let salt = format!("{attempt},7,9");
        let mut commit = vec!["weights", "commit", "--uri", "//Alice", "--salt", &salt];
        commit.extend(row);
        cli(node, &commit);
        let mut reveal = vec!["weights", "reveal", "--uri", "//Alice", "--salt", &salt];
        reveal.extend(row);
        loop {
            match try_cli(node, &reveal) {
                Ok(_) => return,
                Err(e) if e.contains("too early") => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                // Stale, or dropped because its window closed before a block took it.
                Err(e) => {
                    eprintln!("reveal missed its window ({e}); committing again");
                    break;
                }
            }
        }
    }
    panic!("could not reveal weights in five epochs");
}

/// Waits until an epoch of subnet 1 ran at a block after `after`; returns that block.
fn wait_for_epoch(node: &DevNode, after: u64) -> u64 {
    let mut next = after + 1;
    loop {
        node.wait_for(next);
        let block = node.result("chain_block", json!([next]));
        let ran = block["block_events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["type"] == json!("epoch_run") && e["netuid"] == json!(1));
        if ran {
            return next;
        }
        next += 1;
    }
}

#[test]
fn subnet_epoch_pays_incentive_and_emission_and_the_books_balance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start_with(dir.path(), 100);

    let created = cli(&node, &["subnet", "create", "--uri", "//Alice"]);
    assert_eq!(created["netuid"], json!(1));
    // Alice is sudo: tempo is root-only, so it goes through sudo.
    let set = cli(
        &node,
        &[
            "subnet",
            "set",
            "1",
            "--param",
            "tempo",
            "--value",
            &TEMPO.to_string(),
            "--uri",
            "//Alice",
        ],
    );
    assert_eq!(set["sudo"], json!(true));
    assert_eq!(set["hyperparameters"]["tempo"], json!(TEMPO));
    cli(
        &node,
        &[
            "subnet",
            "set",
            "1",
            "--param",
            "weights_rate_limit",
            "--value",
            "0",
            "--uri",
            "//Alice",
        ],
    );
    // Bob owns no subnet: refused with the runtime's reason.
    let err = try_cli(
        &node,
        &[
            "subnet", "set", "1", "--param", "kappa", "--value", "1", "--uri", "//Bob",
        ],
    )
    .expect_err("not the owner");
    assert!(err.contains("does not own subnet 1"), "{err}");
    // An owner sets what owners may set, not root-only parameters.
    let bobs = cli(&node, &["subnet", "create", "--uri", "//Bob"]);
    assert_eq!(bobs["netuid"], json!(2));
    let set = cli(
        &node,
        &[
            "subnet",
            "set",
            "2",
            "--param",
            "immunity_period",
            "--value",
            "77",
            "--uri",
            "//Bob",
        ],
    );
    assert_eq!(set["sudo"], json!(false));
    assert_eq!(set["hyperparameters"]["immunity_period"], json!(77));
    let err = try_cli(
        &node,
        &[
            "subnet", "set", "2", "--param", "tempo", "--value", "5", "--uri", "//Bob",
        ],
    )
    .expect_err("root-only");
    assert!(err.contains("sudo"), "{err}");
    let err = yuma_err(
        &[
            "subnet", "set", "2", "--param", "tmpo", "--value", "5", "--uri", "//Bob", "--rpc",
            &node.url,
        ],
        2,
    );
    assert!(err.contains("valid names: tempo, kappa"), "{err}");

    let bob = cli(
        &node,
        &["subnet", "register", "--netuid", "1", "--uri", "//Bob"],
    );
    let charlie = cli(
        &node,
        &["subnet", "register", "--netuid", "1", "--uri", "//Charlie"],
    );
    let charlie_uid = u16::try_from(u64_of(&charlie["uid"])).expect("a uid");
    assert_ne!(bob["uid"], charlie["uid"]);
    // Alice's hotkey (the owner's, uid 0) validates: the owner always holds a permit, and its
    // stake grows with the owner cut. Bob is a miner nobody weights.
    cli(
        &node,
        &[
            "stake", "add", "--netuid", "1", "--amount", "1000", "--uri", "//Alice",
        ],
    );
    // Move part of it to Bob's hotkey on subnet 2 (through both pools), and give part of it,
    // on the same hotkey and subnet, to Bob's coldkey (no swap: exactly that alpha).
    let moved = cli(
        &node,
        &[
            "stake",
            "move",
            "--netuid",
            "1",
            "--alpha",
            "1000000000",
            "--dest-hotkey",
            BOB,
            "--dest-netuid",
            "2",
            "--uri",
            "//Alice",
        ],
    );
    assert_eq!(
        moved["included"]["receipt"]["success"],
        json!(true),
        "{moved}"
    );
    let stakes = cli(&node, &["stake", "list", "--uri", "//Alice"]);
    let on_bob = stakes
        .as_array()
        .expect("stakes")
        .iter()
        .find(|s| s["netuid"] == json!(2) && s["hotkey"] == json!(BOB))
        .unwrap_or_else(|| panic!("no stake on Bob in subnet 2: {stakes}"));
    assert!(u64_of(&on_bob["alpha"]) > 0);
    cli(
        &node,
        &[
            "stake", "transfer", "--netuid", "1", "--alpha", "10000000", "--dest", BOB, "--uri",
            "//Alice",
        ],
    );
    let bobs_stakes = cli(&node, &["stake", "list", "--address", BOB]);
    assert_eq!(bobs_stakes[0]["netuid"], json!(1), "{bobs_stakes}");
    assert_eq!(bobs_stakes[0]["hotkey"], json!(ALICE), "{bobs_stakes}");
    assert_eq!(bobs_stakes[0]["alpha"], json!(10_000_000), "{bobs_stakes}");
    // Permits are set by an epoch.
    let head = u64_of(&node.result("chain_head", json!([]))["number"]);
    wait_for_epoch(&node, head);
    commit_and_reveal(&node, charlie_uid);
    let revealed = u64_of(&node.result("chain_head", json!([]))["number"]);
    let paid_at = wait_for_epoch(&node, revealed);

    // Freeze the chain: stop, and reopen without producing blocks, so every query below reads
    // one state.
    node.stop();
    let node = DevNode::start_with(dir.path(), 3_600_000);
    let head = u64_of(&node.result("chain_head", json!([]))["number"]);
    assert!(head >= paid_at);

    // Incentive and emission were paid at that epoch.
    let epoch = node.result("chain_block", json!([paid_at]));
    let events = epoch["block_events"].as_array().expect("events");
    let charlie_paid: u64 = events
        .iter()
        .filter(|e| e["type"] == json!("emission") && e["hotkey"] == json!(CHARLIE))
        .map(|e| u64_of(&e["incentive"]))
        .sum();
    let alice_dividends: u64 = events
        .iter()
        .filter(|e| e["type"] == json!("emission") && e["hotkey"] == json!(ALICE))
        .map(|e| u64_of(&e["dividends"]))
        .sum();
    assert!(charlie_paid > 0, "{events:?}");
    assert!(alice_dividends > 0, "{events:?}");
    let graph = cli(&node, &["metagraph", "--netuid", "1"]);
    let miner = neuron(&graph, CHARLIE);
    assert!(u64_of(&miner["incentive"]) > 0, "{miner}");
    assert!(u64_of(&miner["emission"]) > 0, "{miner}");
    let validator = neuron(&graph, ALICE);
    assert!(u64_of(&validator["dividends"]) > 0, "{validator}");
    assert_eq!(
        neuron(&graph, BOB)["incentive"],
        json!(0),
        "nobody weights Bob"
    );

    // The books, to the rao: every block's minted TAO and every fee, from the block history.
    let mut minted: u128 = 0;
    let mut fees: u128 = 0;
    for n in 1..=head {
        let block = node.result("chain_block", json!([n]));
        for e in block["block_events"].as_array().expect("events") {
            if e["type"] == json!("issued") {
                minted += u128::from(u64_of(&e["amount"]));
            }
        }
        for r in block["receipts"].as_array().expect("receipts") {
            fees += u128::from(u64_of(&r["fee"]));
        }
    }
    let issuance = u128::from(u64_of(&node.result("chain_totalIssuance", json!([]))));
    let burned = u128::from(u64_of(&node.result("chain_totalBurned", json!([]))));
    assert!(minted > 0);
    assert_eq!(
        issuance,
        6 * DEV_BALANCE + minted,
        "issuance = genesis + minted"
    );
    assert_eq!(burned, fees, "burned = the fees of every receipt");
    let free: u128 = DEV_ACCOUNTS.iter().map(|a| u128::from(node.free(a))).sum();
    let pools: u128 = node
        .result("subnet_list", json!([]))
        .as_array()
        .expect("subnets")
        .iter()
        .map(|s| u128::from(u64_of(&s["pool"]["tao_reserve"])))
        .sum();
    assert_eq!(
        free + pools + burned,
        issuance,
        "free + pools + burned = issuance"
    );
}
