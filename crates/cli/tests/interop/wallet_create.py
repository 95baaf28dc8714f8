"""Create a wallet with bittensor_wallet, for the Rust interop tests.

Reads one JSON object on stdin:
{"path", "name", "hotkey", "mnemonic": coldkey phrase, "password": str or null, "message"}
The coldkey is restored from the mnemonic (encrypted when a password is given), the hotkey is
new and plain, as btcli makes them. Prints
{"coldkey": ss58, "hotkey": ss58, "coldkey_signature": hex, "hotkey_signature": hex}
with both keys' signatures of the message's UTF-8 bytes.
"""

import json
import os
import sys

from bittensor_wallet import Wallet


def main() -> None:
    request = json.load(sys.stdin)
    # bittensor_wallet prints progress ("Encrypting...") on stdout; keep stdout for the answer.
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    password = request["password"]
    wallet = Wallet(name=request["name"], path=request["path"], hotkey=request["hotkey"])
    wallet.regenerate_coldkey(
        mnemonic=request["mnemonic"],
        use_password=password is not None,
        overwrite=False,
        suppress=True,
        coldkey_password=password,
    )
    wallet.create_new_hotkey(n_words=12, use_password=False, overwrite=False, suppress=True)

    message = request["message"].encode("utf-8")
    coldkey = wallet.get_coldkey(password)
    hotkey = wallet.get_hotkey()
    json.dump(
        {
            "coldkey": coldkey.ss58_address,
            "hotkey": hotkey.ss58_address,
            "coldkey_signature": coldkey.sign(message).hex(),
            "hotkey_signature": hotkey.sign(message).hex(),
        },
        answer,
    )
    answer.flush()


if __name__ == "__main__":
    main()
