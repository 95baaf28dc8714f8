//! `yuma gateway` end to end: a dev node, real miners of different quality scored by a real
//! validator, and a user who pays the gateway in TAO and queries it with `yuma query`.

mod client;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use yuma_client::{Call, SubnetIdentity};
use yuma_neuron::{Challenger, MinerClient};
use yuma_primitives::Balance;
use yuma_subnets::tabular::{Answer, TabularChallenger, score::quality};

use yuma_cli::process::Ready;

use client::{incentive, query, unsigned, user_wallet, wait_until};

use crate::devnet::{DevNet, Service, pair};
use crate::util::{yuma_err, yuma_ok};

const PRICE_RAO: u64 = 1_000_000;
const PAID_RAO: u64 = 1_000_000_000;

#[test]
fn users_pay_in_tao_get_good_answers_and_survive_a_dead_top_miner() {
    let net = DevNet::start();
    let netuid = net.create_subnet(10);
    net.register(netuid, "//Validator1", 100);
    net.register(netuid, "//Gateway", 100);
    // Three miners far apart in quality: the forest should end on top by incentive.
    for uri in ["//Forest", "//Linear", "//Mean"] {
        net.register(netuid, uri, 0);
    }
    let (mut forest, forest_addr) = net.miner(netuid, "//Forest", "forest", 0);
    let (_linear, linear_addr) = net.miner(netuid, "//Linear", "linear", 0);
    let (_mean, mean_addr) = net.miner(netuid, "//Mean", "mean", 0);
    let mut validator = Service::start(&[
        "validator".into(),
        "--netuid".into(),
        netuid.0.to_string(),
        "--interval-ms".into(),
        "300".into(),
        "--uri".into(),
        "//Validator1".into(),
        "--rpc".into(),
        net.url.clone(),
    ]);
    validator.wait_ready(Ready::Validator, Duration::from_secs(30));
    // The validator's weights rank the miners by quality (forest, linear, mean); the gateway
    // gets a permit.
    wait_until(Duration::from_secs(120), "miners ranked by quality", || {
        let linear = incentive(&net, netuid, "//Linear");
        incentive(&net, netuid, "//Forest") > linear && linear > incentive(&net, netuid, "//Mean")
    });
    let gateway_hotkey = pair("//Gateway").public();
    assert!(
        net.metagraph(netuid)
            .neurons
            .iter()
            .any(|n| n.hotkey == gateway_hotkey && n.validator_permit),
        "the gateway's hotkey has a validator permit"
    );
    // Miners re-read the metagraph every few seconds: wait until each one knows the
    // gateway's permit (before that they refuse it with 403).
    let gateway_client = MinerClient::new(pair("//Gateway").into());
    let Ok((probe, _)) = TabularChallenger.challenge(0);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    for (uri, addr) in [
        ("//Forest", &forest_addr),
        ("//Linear", &linear_addr),
        ("//Mean", &mean_addr),
    ] {
        let socket: SocketAddr = addr.parse().expect("a socket address");
        let miner = pair(uri).public();
        wait_until(Duration::from_secs(30), "miners accept the gateway", || {
            rt.block_on(gateway_client.solve::<_, Value>(
                socket,
                &miner,
                &probe,
                Duration::from_secs(30),
            ))
            .is_ok()
        });
    }
    let forest_key = pair("//Forest").public().to_string();
    let linear_key = pair("//Linear").public().to_string();

    // The gateway's coldkey is funded from the public //Alice key before the gateway first
    // runs, as localnet does: that is no credit for whoever signs as //Alice.
    net.submit(
        &pair("//Alice"),
        Call::Transfer {
            dest: gateway_hotkey,
            amount: Balance::from_tao(5),
        },
    );
    let data = tempfile::tempdir().expect("a temp dir");
    let gateway_args = vec![
        "gateway".to_string(),
        "--netuid".into(),
        netuid.0.to_string(),
        "--price".into(),
        Balance(PRICE_RAO).to_string(),
        "--stake-share".into(),
        "50%".into(),
        "--stake-every".into(),
        "1".into(),
        "--data-dir".into(),
        data.path().display().to_string(),
        "--uri".into(),
        "//Gateway".into(),
        "--rpc".into(),
        net.url.clone(),
    ];
    let mut gateway = Service::start(&gateway_args);
    let base = gateway.wait_ready(Ready::Gateway, Duration::from_secs(60));
    let addr = base.trim_start_matches("http://").to_string();
    let receiver = gateway_hotkey.to_string();

    // Pricing is public and says where to pay.
    let (status, body) = unsigned(&addr, "GET", "/v1/pricing", "");
    assert_eq!(status, 200);
    let pricing: Value = serde_json::from_str(&body).expect("pricing is JSON");
    assert_eq!(pricing["price_per_query_rao"], PRICE_RAO);
    let pay_to = pricing["pay_to"].as_str().expect("pay_to").to_string();
    assert_eq!(pay_to, receiver, "with --uri the coldkey is the same key");
    assert_eq!(pricing["subnet"], Value::Null, "no identity yet");
    // The owner publishes the subnet's identity; the gateway sees it in the blocks it follows.
    net.submit(
        &pair("//Alice"),
        Call::SetSubnetIdentity {
            netuid,
            identity: SubnetIdentity {
                name: "tabular".into(),
                description: "Fresh tabular learning tasks.".into(),
                task_protocol: 1,
                task_hash: Some([0x5a; 32]),
                task_url: String::new(),
            },
        },
    );
    wait_until(
        Duration::from_secs(30),
        "pricing shows the identity",
        || {
            let (_, body) = unsigned(&addr, "GET", "/v1/pricing", "");
            let pricing: Value = serde_json::from_str(&body).expect("pricing is JSON");
            pricing["subnet"]
                == json!({
                    "name": "tabular",
                    "description": "Fresh tabular learning tasks.",
                    "task_protocol": 1,
                    "task_hash": format!("0x{}", "5a".repeat(32)),
                    "task_url": "",
                })
        },
    );

    let Ok((challenge, key)) = TabularChallenger.challenge(1);
    let challenge = serde_json::to_value(&challenge).expect("serialises");

    // Unsigned: 401 with a clear message.
    let (status, body) = unsigned(&addr, "POST", "/v1/solve", &challenge.to_string());
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("btauth/1"), "{body}");

    // Signed but unfunded: 402 with the price and how to pay.
    let wallets = tempfile::tempdir().expect("a temp dir");
    user_wallet(wallets.path(), "user", "//GatewayUser");
    user_wallet(wallets.path(), "poor", "//GatewayPoor");
    user_wallet(wallets.path(), "alice", "//Alice");
    let alice = query(
        wallets.path(),
        "alice",
        &format!("{base}/v1/account"),
        &receiver,
        None,
    );
    assert_eq!(alice["json"]["credit_rao"], json!(0), "{alice}");
    let solve = format!("{base}/v1/solve");
    let stderr = yuma_err(
        &[
            "query",
            &solve,
            "--use-coldkey",
            "--receiver",
            &receiver,
            "--wallet-path",
            &wallets.path().display().to_string(),
            "--wallet-name",
            "poor",
            "--data",
            &challenge.to_string(),
        ],
        1,
    );
    assert!(stderr.contains("402"), "{stderr}");
    assert!(stderr.contains(&pay_to), "{stderr}");

    // The user gets TAO and pays the gateway with `yuma transfer`.
    net.submit(
        &pair("//Alice"),
        Call::Transfer {
            dest: pair("//GatewayUser").public(),
            amount: Balance::from_tao(10),
        },
    );
    yuma_ok(&[
        "transfer",
        "--dest",
        &pay_to,
        "--amount",
        &Balance(PAID_RAO).to_string(),
        "--wallet-path",
        &wallets.path().display().to_string(),
        "--wallet-name",
        "user",
        "--rpc",
        &net.url,
    ]);
    let account_url = format!("{base}/v1/account");
    let credit = || -> u64 {
        let doc = query(wallets.path(), "user", &account_url, &receiver, None);
        doc["json"]["credit_rao"].as_u64().expect("credit_rao")
    };
    wait_until(Duration::from_secs(30), "the payment credited", || {
        credit() == PAID_RAO
    });

    // Paid queries get good answers, each charged the price exactly.
    let mut expected = PAID_RAO;
    let mut total = 0.0;
    let rounds = 4;
    for seed in 0..rounds {
        let Ok((challenge, key)) = TabularChallenger.challenge(100 + seed);
        let challenge = serde_json::to_value(&challenge).expect("serialises");
        let doc = query(wallets.path(), "user", &solve, &receiver, Some(&challenge));
        assert_eq!(doc["status"], 200, "{doc}");
        let answer: Answer = serde_json::from_value(doc["json"].clone()).expect("an answer");
        total += quality(&key, &answer);
        assert_eq!(
            doc["headers"]["x-yuma-miners"], forest_key,
            "the top miner answers"
        );
        expected -= PRICE_RAO;
        assert_eq!(credit(), expected);
    }
    let mean_quality = total / rounds as f64;
    assert!(
        mean_quality > 0.3,
        "answers of the best miners are good: mean quality {mean_quality}"
    );

    // An ensemble of the top 2 combines both answers and costs 2 queries.
    let mut with_ensemble = challenge;
    with_ensemble["ensemble"] = json!(2);
    let doc = query(
        wallets.path(),
        "user",
        &solve,
        &receiver,
        Some(&with_ensemble),
    );
    assert_eq!(doc["status"], 200, "{doc}");
    let answer: Answer = serde_json::from_value(doc["json"].clone()).expect("an answer");
    assert_eq!(answer.predictions.len(), key.test_y.len());
    assert_eq!(
        doc["headers"]["x-yuma-miners"],
        format!("{forest_key},{linear_key}")
    );
    assert_eq!(
        doc["headers"]["x-yuma-charged-rao"],
        (2 * PRICE_RAO).to_string()
    );
    expected -= 2 * PRICE_RAO;
    assert_eq!(credit(), expected);

    // The top miner is killed while the user keeps querying: every request still succeeds
    // (failover to the next miner), and those sent after the kill are answered by the linear
    // miner.
    let after_kill = 3;
    let killed = AtomicBool::new(false);
    let answered_by = std::thread::scope(|scope| {
        let (done, first) = std::sync::mpsc::channel();
        let (wallets, solve, receiver, killed) = (&wallets, &solve, &receiver, &killed);
        let user = scope.spawn(move || {
            let mut by = Vec::new();
            let mut left = after_kill;
            for seed in 200.. {
                let last = killed.load(Ordering::SeqCst);
                let Ok((challenge, _)) = TabularChallenger.challenge(seed);
                let challenge = serde_json::to_value(&challenge).expect("serialises");
                let doc = query(wallets.path(), "user", solve, receiver, Some(&challenge));
                assert_eq!(doc["status"], 200, "{doc}");
                by.push(doc["headers"]["x-yuma-miners"].clone());
                let _ = done.send(());
                if last {
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
            by
        });
        first.recv().expect("the first query returns");
        // Let the next query get on its way, then kill the miner under it.
        std::thread::sleep(Duration::from_millis(30));
        forest.kill();
        killed.store(true, Ordering::SeqCst);
        user.join().expect("the user's queries all succeed")
    });
    assert_eq!(answered_by[0], forest_key.as_str());
    for by in &answered_by[answered_by.len() - after_kill..] {
        assert_eq!(by, linear_key.as_str(), "{answered_by:?}");
    }
    let paid_queries = u64::try_from(answered_by.len()).expect("a few queries");
    expected -= PRICE_RAO * paid_queries;
    assert_eq!(credit(), expected);

    // Half the revenue goes back into the subnet's pool.
    gateway.wait_for_line("yuma: staked ", Duration::from_secs(30));

    // Metrics count what happened.
    let (status, metrics) = unsigned(&addr, "GET", "/metrics", "");
    assert_eq!(status, 200);
    assert!(
        metrics.contains(&format!(
            "yuma_gateway_requests_total{{outcome=\"ok\"}} {}",
            rounds + 1 + paid_queries
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("outcome=\"payment_required\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("outcome=\"unauthenticated\"} 1"),
        "{metrics}"
    );
    let failovers: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("yuma_gateway_failovers_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("a failover count in {metrics}"));
    assert!(failovers >= 1, "the dead miner was failed over: {metrics}");

    // A burst of answered queries, then kill -9 of the gateway the moment the last answer is
    // back: after a restart on the same data dir every answered query is charged.
    let books = |url: &str| -> (u64, u64) {
        let doc = query(wallets.path(), "user", url, &receiver, None);
        let json = &doc["json"];
        (
            json["spent_rao"].as_u64().expect("spent_rao"),
            json["queries"].as_u64().expect("queries"),
        )
    };
    let (spent_before, queries_before) = books(&account_url);
    let answered: u64 = std::thread::scope(|scope| {
        let users: Vec<_> = (0..4u64)
            .map(|user| {
                let (wallets, solve, receiver) = (&wallets, &solve, &receiver);
                scope.spawn(move || {
                    (0..5u64)
                        .filter(|round| {
                            let Ok((challenge, _)) =
                                TabularChallenger.challenge(300 + user * 10 + round);
                            let challenge = serde_json::to_value(&challenge).expect("serialises");
                            let doc =
                                query(wallets.path(), "user", solve, receiver, Some(&challenge));
                            doc["status"] == 200
                        })
                        .count() as u64
                })
            })
            .collect();
        users.into_iter().map(|u| u.join().expect("a user")).sum()
    });
    gateway.kill();
    assert!(answered >= 15, "most of the burst was answered: {answered}");
    let mut gateway = Service::start(&gateway_args);
    let base = gateway.wait_ready(Ready::Gateway, Duration::from_secs(60));
    let (spent_after, queries_after) = books(&format!("{base}/v1/account"));
    assert_eq!(queries_after - queries_before, answered);
    assert_eq!(spent_after - spent_before, answered * PRICE_RAO);
}
