#!/usr/bin/env bash
# JupyterLab も使える Pod を作ります: 8888 番のポートを開け、パスワードを Secret から渡します。
VOLUME_ID="your-volume-id"  # volume-list.sh で表示されたボリュームの ID
python -m snippets.pod up --volume "$VOLUME_ID" --max-price 0.5 --ports "22/tcp,8888/http" \
  --env "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kaggle_api_token }}" \
  --env "JUPYTER_PASSWORD={{ RUNPOD_SECRET_jupyter_password }}"
