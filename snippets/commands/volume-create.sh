#!/usr/bin/env bash
python -m snippets.volume create --name kaggle-data --size-gb 50 --data-center EU-RO-1
