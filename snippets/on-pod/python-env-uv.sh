#!/usr/bin/env bash
PROJECT=titanic bash /workspace/guide/snippets/python-env-uv.sh
