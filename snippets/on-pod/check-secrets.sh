#!/usr/bin/env bash
bash /workspace/guide/snippets/check-secrets.sh
