"""Python・PyTorch・CUDA のバージョンを 1 行で表示します。

Kaggle Notebook のセルと Pod の両方で実行して、同じかどうかを比べます。
"""

import sys


def versions() -> str:
    line = f"Python {sys.version.split()[0]}"
    try:
        import torch
    except ImportError:
        return f"{line}、PyTorch なし"
    return f"{line}、PyTorch {torch.__version__}、CUDA {torch.version.cuda}"


if __name__ == "__main__":
    print(versions())
