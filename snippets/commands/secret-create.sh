#!/usr/bin/env bash
python -m snippets.secret create --name kaggle_api_token
