"""Open a wallet with bittensor_wallet, for the Rust interop tests.

Reads one JSON object on stdin:
{"path", "name", "hotkey", "password": str or null, "message",
 "signatures": [{"ss58", "signature": hex with or without 0x}]}
Prints
{"coldkeypub", "coldkey", "hotkeypub", "hotkey": ss58 addresses as Python reads them
   (the coldkey unlocked with the password),
 "coldkey_encrypted": bool, "valid": [bool per signature],
 "coldkey_signature", "hotkey_signature": hex signatures of the message by the Python keys}
"""

import json
import os
import sys

from bittensor_wallet import Keypair, Wallet


def main() -> None:
    request = json.load(sys.stdin)
    # bittensor_wallet prints progress ("Decrypting...") on stdout; keep stdout for the answer.
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)

    wallet = Wallet(name=request["name"], path=request["path"], hotkey=request["hotkey"])
    message = request["message"].encode("utf-8")
    coldkey = wallet.get_coldkey(request["password"])
    hotkey = wallet.get_hotkey()
    valid = [
        Keypair(ss58_address=item["ss58"]).verify(
            message, bytes.fromhex(item["signature"].removeprefix("0x"))
        )
        for item in request["signatures"]
    ]
    json.dump(
        {
            "coldkeypub": wallet.get_coldkeypub().ss58_address,
            "coldkey": coldkey.ss58_address,
            "hotkeypub": wallet.get_hotkeypub().ss58_address,
            "hotkey": hotkey.ss58_address,
            "coldkey_encrypted": wallet.coldkey_file.is_encrypted(),
            "valid": valid,
            "coldkey_signature": coldkey.sign(message).hex(),
            "hotkey_signature": hotkey.sign(message).hex(),
        },
        answer,
    )
    answer.flush()


if __name__ == "__main__":
    main()
