"""The hostile-input table's cases for `python -m snippets.pod` (see scripts/hostile_cases.py
for what each outcome means): caps, references and values refused before anything is rented;
lost creates adopted by their token; pods that end badly reported with the way to stop them."""

from __future__ import annotations

from scripts.hostile_cases import LOST_ANSWERS, Case

UP = ("up", "--volume", "{volume}", "--public-key-file", "{public_key}")


def up_case(name: str, *extra: str, **kwargs) -> Case:
    """`pod up` on a fresh volume, with these extra arguments."""
    kwargs.setdefault("before", "volume")
    return Case(name, "pod", (*UP, *extra), **kwargs)


def _refused() -> tuple[Case, ...]:
    typo = "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kagle_api_token }}"
    private = ("up", "--volume", "{volume}", "--public-key-file", "{private_key}")
    return (
        up_case(
            "pod up over the cap with --gpu", "--gpu", "NVIDIA A100 80GB PCIe", "--max-price", "0.3"
        ),
        up_case("pod up unknown GPU", "--gpu", "NVIDIA GTX 9090"),
        up_case("pod up secret reference typo", "--env", typo, before="volume_and_secret"),
        up_case("pod up env value with $", "--env", "X=pa$$"),
        up_case("pod up env broken reference", "--env", "X={{ RUNPOD_SECRET_a }"),
        up_case("pod up max hours negative", "--max-hours", "-1"),
        up_case("pod up max hours huge", "--max-hours", "1e9"),
        Case("pod up private key", "pod", private, before="volume"),
        up_case("pod up empty balance", faults="create_pod:insufficient_balance"),
        up_case(
            "pod up no capacity anywhere", faults="create_pod:no_capacityx*", expect="declined"
        ),
        Case("pod down unknown", "pod", ("down", "nosuchpod")),
        Case(
            "pod ssh-config key path with a quote",
            "pod",
            ("ssh-config", "{pod}", "--identity-file", '~/.ssh/my"key'),
            before="pod_on_volume",
        ),
    )


def _rented() -> tuple[Case, ...]:
    slow = {"SNIPPETS_READ_TIMEOUT": "0.5"}
    return (
        *(
            up_case(f"pod up, {fault}", faults=fault, env=slow, expect="adopted", creates="pods")
            for fault in LOST_ANSWERS
        ),
        up_case(
            "pod up, Ctrl+C while waiting",
            faults="timeout:rest_create=10",
            expect="maybe",
            creates="pods",
            interrupt_after_post=True,
        ),
        up_case("pod up pod errors", faults="pod:error", expect="reported", creates="pods"),
        up_case(
            "pod up pod exits",
            faults="pod:exits,pod:slow_sshd=30",
            expect="reported",
            creates="pods",
        ),
    )


def pod_cases() -> tuple[Case, ...]:
    return (*_refused(), *_rented())
