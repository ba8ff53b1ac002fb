#!/usr/bin/env bash
bash /workspace/guide/snippets/doctor.sh
