#!/usr/bin/env bash
bash /workspace/guide/snippets/clone-private.sh taro/titanic
