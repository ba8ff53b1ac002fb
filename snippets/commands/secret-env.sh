#!/usr/bin/env bash
python -m snippets.secret env KAGGLE_API_TOKEN kaggle_api_token
