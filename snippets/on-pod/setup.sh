#!/usr/bin/env bash
bash /workspace/guide/snippets/setup.sh
