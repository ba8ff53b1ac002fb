"""Rent a pod through Runpod's REST API v2: the request, the GPU, the price cap, the create.

The reader's command is `python -m snippets.pod up` (snippets/pod.py); this is what it does.
"""

import sys

from snippets import errors
from snippets.api import load_recommended
from snippets.checks import check_id, check_name, shown
from snippets.cli import SnippetError
from snippets.create import TOKEN_ENV, create_once, new_token
from snippets.pod_api import HOW_TO_CHECK, list_pods, terminate_pod
from snippets.pod_checks import check_env, check_ports, check_public_key, secret_names
from snippets.pricing import cheapest_gpu, check_gpu_count, check_price, chosen_gpu, min_cuda
from snippets.settings import DEFAULT_BASE_URL, base_url
from snippets.volume import get_volume
from snippets.watchdog import DEFAULT_HOURS, start_command

PRICE_SLACK = 0.005  # $/h: rounding between the catalog's list price and the pod's cost


def deploy_pod(
    volume_id: str,
    *,
    gpu_type_id: str | None = None,
    gpu_count: int = 1,
    max_price: float = 0.5,
    ports: str | None = None,
    env: dict | None = None,
    name: str | None = None,
    public_key: str | None = None,
    image: str | None = None,
    max_hours: float = DEFAULT_HOURS,
    registry: str | None = None,
) -> dict:
    """Start an On-Demand Secure Cloud pod with the volume at /workspace, in the volume's
    data center, and return Runpod's Pod object.

    Without gpu_type_id, takes the cheapest GPU in stock at or under max_price ($/GPU/h) and
    moves on to the next one when Runpod has no free machine for it. Only hosts whose CUDA
    is at least the recommended image's are asked for (a floor). The pod deletes itself
    after max_hours (0: never), with its own key (snippets/watchdog.py)."""
    request = pod_request(ports, env, name, public_key, image, max_hours, registry)
    check_gpu_count(gpu_count)
    check_price(max_price)
    check_secrets_exist(request["env"])
    data_center = get_volume(volume_id)["dataCenter"]
    request.update(
        mounts={"network": [{"volumeId": volume_id, "path": "/workspace"}]},
        dataCenterIds=[data_center],
    )
    tried = []
    while True:
        if gpu_type_id:
            offer = chosen_gpu(data_center, gpu_type_id, max_price, gpu_count)
        else:
            offer = cheapest_gpu(data_center, max_price, gpu_count, exclude=tried)
        try:
            made = _create(request, offer, gpu_count)
        except errors.NoCapacity:
            if gpu_type_id:
                raise errors.NoCapacity(
                    f"{data_center} の {gpu_type_id} は今、空きがありません。--gpu を外すと、"
                    "上限以下で空いている別の GPU を探します。"
                ) from None
            print(f"{offer['id']} は空きがないので、次に安い GPU を試します。", file=sys.stderr)
            tried.append(offer["id"])
            continue
        _hold_to_cap(made, max_price * gpu_count)
        return {**made, "gpuName": offer["name"], "listPrice": offer["price"]}


def pod_request(ports, env, name, public_key, image, max_hours, registry=None) -> dict:
    """Everything the create sends that does not depend on the GPU, checked before any
    request (a CreatePodRequest of the v2 OpenAPI, without gpu and mounts)."""
    defaults = load_recommended()
    env = dict(env or {})
    if public_key:
        env["PUBLIC_KEY"] = check_public_key(public_key)  # Runpod's images let this key in
    check_env(env)
    image = check_name("イメージ名", defaults["image"]["name"] if image is None else image)
    args = start_command(max_hours, image)
    base = base_url()
    if args and base != DEFAULT_BASE_URL:  # the watchdog must reach the same API (a fake)
        env["RUNPOD_API_BASE_URL"] = base
    body = {
        "name": check_name("Pod 名", "kaggle" if name is None else name),
        "image": image,
        "cloud": defaults["pod"]["cloud_type"],
        "disk": defaults["pod"]["container_disk_gb"],
        "ports": check_ports(defaults["pod"]["ports"] if ports is None else ports).split(","),
        "env": env,
    }
    if args:
        body["args"] = args
    if registry:
        body["registry"] = check_id("レジストリの認証 ID", registry)
    return body


def check_secrets_exist(env: dict) -> None:
    """Refuse a pod whose env refers to a secret the account does not have: Runpod's docs
    warn that such a deployment may fail (pods/templates/secrets.mdx), after billing starts."""
    wanted = secret_names(env)
    if not wanted:
        return
    from snippets.secret import list_secrets  # only when there is something to check

    have = {str(secret.get("name")) for secret in list_secrets()}
    missing = sorted(wanted - have)
    if missing:
        lower = {name.lower(): name for name in have}
        hints = [
            f"{m}（{lower[m.lower()]} ならあります）" if m.lower() in lower else m for m in missing
        ]
        raise SnippetError(
            f"シークレット {', '.join(shown(h) for h in hints)} がありません。"
            "Pod は作っていません。python -m snippets.secret list で名前を確かめてください"
            "（大文字・小文字も区別します）。"
        )


def _create(request: dict, offer: dict, gpu_count: int) -> dict:
    token = new_token()
    body = {
        **request,
        "env": {**request["env"], TOKEN_ENV: token},
        "gpu": {"id": offer["id"], "count": gpu_count, "minCudaVersion": min_cuda()},
    }
    return create_once(
        "Pod",
        request["name"],
        "/v2/pods",
        body,
        list_all=list_pods,
        is_ours=lambda pod: (pod.get("env") or {}).get(TOKEN_ENV) == token,
        provable=True,
        how_to_check=HOW_TO_CHECK,
    )


def _hold_to_cap(pod: dict, cap: float) -> None:
    """The rate Runpod bills (the pod's `cost`) may differ from the catalog's list price:
    above the cap, the pod is deleted at once. A cap is a cap."""
    cost = pod.get("cost")
    if isinstance(cost, int | float) and cost > cap + PRICE_SLACK:
        try:
            terminate_pod(pod["id"])
            done = "すぐに削除しました"
        except SnippetError:
            done = (
                f"削除できませんでした。python -m snippets.pod down {pod['id']} で削除してください"
            )
        raise SnippetError(
            f"Pod {pod['id']} の料金が ${cost:.3f}/時 で、上限 ${cap:.2f}/時 を超えたため、{done}。"
        )
