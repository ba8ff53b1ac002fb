#!/usr/bin/env bash
python -m snippets.ssh_keys check --public-key-file ~/.ssh/id_ed25519.pub
