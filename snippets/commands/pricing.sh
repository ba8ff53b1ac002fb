#!/usr/bin/env bash
python -m snippets.pricing --data-center EU-RO-1 --max-price 0.5
