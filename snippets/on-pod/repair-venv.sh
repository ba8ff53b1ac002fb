#!/usr/bin/env bash
cd /workspace/titanic && bash /workspace/guide/snippets/repair-venv.sh
