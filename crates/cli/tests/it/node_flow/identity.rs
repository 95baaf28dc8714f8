//! A subnet's identity on a real node: set by the owner with `yuma subnet set-identity
//! --task-file`, read back with `yuma subnet info`, refused to anyone else.

use super::*;
use yuma_runtime::hash::blake2b_256;

#[test]
fn identity_is_set_by_the_owner_with_the_task_files_hash_and_read_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start_with(dir.path(), 100);
    let files = tempfile::tempdir().expect("temp dir");
    // Bob owns the subnet and is not sudo.
    let created = cli(&node, &["subnet", "create", "--uri", "//Bob"]);
    assert_eq!(created["netuid"], json!(1));
    let info = cli(&node, &["subnet", "info", "1"]);
    assert_eq!(
        info["identity"],
        Value::Null,
        "no identity until one is set"
    );

    let task = files.path().join("task.py");
    let program = b"import sys\nfor line in sys.stdin:\n    print(line)\n";
    std::fs::write(&task, program).expect("writes the task program");
    let expected_hash = format!("0x{}", hex::encode(blake2b_256(&[program])));
    let task_path = task.display().to_string();
    let set = cli(
        &node,
        &[
            "subnet",
            "set-identity",
            "1",
            "--name",
            "tabular",
            "--description",
            "Fresh tabular learning tasks.\nOne per query.",
            "--task-file",
            &task_path,
            "--task-url",
            "https://example.org/task.py",
            "--uri",
            "//Bob",
        ],
    );
    assert_eq!(set["identity"]["task_hash"], json!(expected_hash));
    assert_eq!(set["submit"]["included"]["receipt"]["success"], json!(true));

    let info = cli(&node, &["subnet", "info", "1"]);
    assert_eq!(
        info["identity"],
        json!({
            "name": "tabular",
            "description": "Fresh tabular learning tasks.\nOne per query.",
            "task_protocol": 1,
            "task_hash": expected_hash,
            "task_url": "https://example.org/task.py",
        })
    );
    let human = crate::util::yuma_ok(&["subnet", "info", "1", "--rpc", &node.url]);
    assert!(human.contains(&expected_hash), "{human}");
    assert!(
        human
            .lines()
            .any(|l| l.split_whitespace().eq(["name", "tabular"])),
        "{human}"
    );
    let list = crate::util::yuma_ok(&["subnet", "list", "--rpc", &node.url]);
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().take(2).eq(["1", "tabular"])),
        "{list}"
    );
    let listed = cli(&node, &["subnet", "list"]);
    assert_eq!(listed[0]["identity"]["name"], json!("tabular"));

    // Not the owner: refused by the chain, exit 1, and nothing changes.
    let err = try_cli(
        &node,
        &[
            "subnet",
            "set-identity",
            "1",
            "--name",
            "mine",
            "--uri",
            "//Charlie",
        ],
    )
    .expect_err("not the owner");
    assert!(err.contains("does not own subnet 1"), "{err}");
    assert_eq!(
        cli(&node, &["subnet", "info", "1"])["identity"]["name"],
        json!("tabular")
    );

    // Against the chain's rules, or an unreadable file: refused before anything is sent.
    let long = "n".repeat(65);
    let err = yuma_err(
        &[
            "subnet",
            "set-identity",
            "1",
            "--name",
            &long,
            "--uri",
            "//Bob",
            "--rpc",
            &node.url,
        ],
        2,
    );
    assert!(err.contains("name is 65 bytes, at most 64"), "{err}");
    let missing = files.path().join("missing.py").display().to_string();
    let err = yuma_err(
        &[
            "subnet",
            "set-identity",
            "1",
            "--name",
            "x",
            "--task-file",
            &missing,
            "--uri",
            "//Bob",
            "--rpc",
            &node.url,
        ],
        2,
    );
    assert!(err.contains("reading task file"), "{err}");

    // The sudo key may set it too; a second set replaces the first.
    let hash = format!("0x{}", "ab".repeat(32));
    cli(
        &node,
        &[
            "subnet",
            "set-identity",
            "1",
            "--name",
            "renamed",
            "--task-hash",
            &hash,
            "--uri",
            "//Alice",
        ],
    );
    let info = cli(&node, &["subnet", "info", "1"]);
    assert_eq!(info["identity"]["name"], json!("renamed"));
    assert_eq!(info["identity"]["task_hash"], json!(hash));
    assert_eq!(info["identity"]["task_url"], json!(""));
}
