#!/usr/bin/env bash
python -m snippets.volume list
