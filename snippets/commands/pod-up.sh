#!/usr/bin/env bash
VOLUME_ID="your-volume-id"  # volume-list.sh で表示されたボリュームの ID
python -m snippets.pod up --volume "$VOLUME_ID" --max-price 0.5 --env "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}"
