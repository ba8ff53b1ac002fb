#!/usr/bin/env bash
# JupyterLab のパスワードを Secret に登録します（入力は画面に表示されません）。
python -m snippets.secret create --name jupyter_password
