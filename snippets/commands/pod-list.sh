#!/usr/bin/env bash
python -m snippets.pod list
