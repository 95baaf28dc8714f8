//! The anti weight-copying hyperparameter on a real node: set by the subnet owner, read back.

use super::*;

#[test]
fn anti_copy_penalty_is_set_by_the_owner_and_read_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start_with(dir.path(), 100);
    // Bob is not sudo: he sets it as the subnet's owner.
    let created = cli(&node, &["subnet", "create", "--uri", "//Bob"]);
    assert_eq!(created["netuid"], json!(1));
    let hyper = cli(&node, &["subnet", "hyperparameters", "1"]);
    assert_eq!(hyper["anti_copy_penalty"], json!(0), "off by default");
    let set = cli(
        &node,
        &[
            "subnet",
            "set",
            "1",
            "--param",
            "anti_copy_penalty",
            "--value",
            "39321",
            "--uri",
            "//Bob",
        ],
    );
    assert_eq!(set["sudo"], json!(false));
    assert_eq!(set["hyperparameters"]["anti_copy_penalty"], json!(39321));
    let hyper = cli(&node, &["subnet", "hyperparameters", "1"]);
    assert_eq!(hyper["anti_copy_penalty"], json!(39321));
    let table = crate::util::yuma_ok(&["subnet", "hyperparameters", "1", "--rpc", &node.url]);
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["anti_copy_penalty", "39321"]),
        "{table}"
    );
    // Not the owner: refused by the chain.
    let err = try_cli(
        &node,
        &[
            "subnet",
            "set",
            "1",
            "--param",
            "anti_copy_penalty",
            "--value",
            "0",
            "--uri",
            "//Charlie",
        ],
    )
    .expect_err("not the owner");
    assert!(err.contains("does not own subnet 1"), "{err}");
    // Not a proportion of 65535: refused before anything is sent.
    let err = yuma_err(
        &[
            "subnet",
            "set",
            "1",
            "--param",
            "anti_copy_penalty",
            "--value",
            "70000",
            "--uri",
            "//Bob",
            "--rpc",
            &node.url,
        ],
        2,
    );
    assert!(err.contains("anti_copy_penalty"), "{err}");
    // Epochs run with the stage on (sudo shortens the tempo), and the node keeps going.
    cli(
        &node,
        &[
            "subnet", "set", "1", "--param", "tempo", "--value", "5", "--uri", "//Alice",
        ],
    );
    let first = wait_for_epoch(&node, 0);
    wait_for_epoch(&node, first);
    let hyper = cli(&node, &["subnet", "hyperparameters", "1"]);
    assert_eq!(hyper["anti_copy_penalty"], json!(39321));
    assert_eq!(hyper["tempo"], json!(5));
}
