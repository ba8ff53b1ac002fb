"""The hostile-input table: what a new or careless or hostile reader may type or meet, per
snippet command, and what must happen (scripts/hostile.py runs it; tests/snippets/
test_hostile.py wants it clean).

Outcomes a case expects:
- "refused": exit not 0, nothing on stdout, one Japanese line on stderr starting "エラー: ",
  the account as it was ("declined": the same, after lines saying what was tried);
- "reported": a pod was rented and ended badly: exit not 0, the last line says so and how to
  stop its bill (`python -m snippets.pod down ID`);
- "maybe": a create whose answer proved nothing: exit not 0, stderr says what may exist and
  how to look, at most one resource of the kind, the create sent once;
- "adopted": a lost create proven ours (a pod's token): exit 0, exactly one pod.
Every case: no traceback, no key or secret value in the output, never two resources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MARKER = "KGAT_hostile_value_0123"  # a secret value: must never be printed
VOLUME = ("create", "--size-gb", "10", "--data-center", "EU-RO-1", "--name")
SECRET = ("create", "--name")
UP = ("up", "--volume", "{volume}", "--public-key-file", "{public_key}")


@dataclass(frozen=True)
class Case:
    name: str
    module: str  # snippets.<module>, run as `python -m` would
    argv: tuple[str | bytes, ...]
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict)  # "{url}", "{port}", "{impostor}"
    faults: str = ""
    expect: str = "refused"  # "refused", "declined", "reported", "maybe" or "adopted"
    creates: str = ""  # "volumes", "secrets" or "pods": the kind a create case makes
    before: str = ""  # "secret_exists", "volume": what the account holds first
    interrupt_after_post: bool = False  # Ctrl+C once the create was sent


def _names() -> tuple[Case, ...]:
    volume_names = [
        ("empty", ""),
        ("blank", "   "),
        ("tab", "\t"),
        ("space around", " data "),
        ("newline", "a\nb"),
        ("quote", 'a"b'),
        ("braces", "{x}"),
        ("not UTF-8", b"d\xff"),
        ("escape sequence", "d\x1b[2J"),
    ]
    secret_names = [
        ("empty", ""),
        ("blank", "  "),
        ("reserved", "RUNPOD_token"),
        ("reserved lower", "runpod"),
        ("digit first", "1token"),
        ("too long", "x" * 192),
        ("not UTF-8", b"tok\xff"),
    ]
    return (
        *(Case(f"volume name {label}", "volume", (*VOLUME, name)) for label, name in volume_names),
        *(
            Case(f"secret name {label}", "secret", (*SECRET, name), stdin=MARKER.encode())
            for label, name in secret_names
        ),
    )


def _volumes() -> tuple[Case, ...]:
    sizes = ["abc", "-5", "0", "9", "4097", "1e3", "10.5", "", "9" * 30]
    centers = ["EU-XX-9", "US-TX-3", "", "eu-ro-1", 'EU"RO']
    base = ("create", "--name", "d")
    return (
        *(
            Case(
                f"volume size {size!r}",
                "volume",
                (*base, "--size-gb", size, "--data-center", "EU-RO-1"),
            )
            for size in sizes
        ),
        *(
            Case(
                f"volume data center {dc!r}",
                "volume",
                (*base, "--size-gb", "10", "--data-center", dc),
            )
            for dc in centers
        ),
        Case("volume id path", "volume", ("delete", "../secrets")),
        Case("volume id unknown", "volume", ("delete", "nosuchvolume")),
        Case("volume in use", "volume", ("delete", "{volume}"), before="pod_on_volume"),
    )


def _secrets() -> tuple[Case, ...]:
    values = [
        ("not UTF-8", b"\xff\xfe" + MARKER.encode()),
        ("empty", b"\n"),
        ("with NUL", MARKER.encode() + b"\x00x"),
        ("with $", b"pa$$" + MARKER.encode()),
        ("with backticks", b"`id`" + MARKER.encode()),
        ("with quotes", b'{"k": "v"}'),
        ("two lines", MARKER.encode() + b"\nsecond line"),
    ]
    return (
        *(
            Case(f"secret value {label}", "secret", (*SECRET, "tok"), stdin=value)
            for label, value in values
        ),
        Case(
            "secret value not UTF-8, C locale",
            "secret",
            (*SECRET, "tok"),
            stdin=b"\xff" + MARKER.encode(),
            env={"LC_ALL": "C", "LANG": "C"},
        ),
        Case(
            "secret name taken",
            "secret",
            (*SECRET, "kaggle_api_token"),
            stdin=MARKER.encode(),
            before="secret_exists",
        ),
        Case("secret value on the command line", "secret", (*SECRET, "tok", "--value", MARKER)),
        Case("secret id unknown", "secret", ("delete", "nosuchsecret")),
        Case("secret env bad variable", "secret", ("env", "1ABC", "tok")),
    )


def _keys_and_addresses() -> tuple[Case, ...]:
    keys = [
        ("non-ASCII", "rpa_キー0123"),
        ("with space", "rpa_a b"),
        ("full-width", "ｒｐａ＿ＡＢＣ"),
        ("wrong", "rpa_WRONG0000"),
        ("empty", ""),
    ]
    urls = [
        ("no scheme", "127.0.0.1:{port}"),
        ("ftp", "ftp://127.0.0.1:{port}"),
        ("garbage", "::::"),
        ("http to a remote host", "http://example.com"),
        ("with a path", "{url}/v2"),
        ("bad port", "http://127.0.0.1:99999"),
        ("answers HTML 200", "{impostor}"),
    ]
    answers = [
        ("410 Gone", "rest:410"),
        ("401", "rest:401"),
        ("403", "rest:403"),
        ("HTML 502 always", "rest:htmlx*"),
        ("JSON cut short always", "rest:truncatedx*"),
        ("429 for hours", "rest:429=99999"),
        ("Cloudflare 524 always", "rest:524x*"),
    ]
    return (
        *(
            Case(f"API key {label}", "volume", ("list",), env={"RUNPOD_API_KEY": key})
            for label, key in keys
        ),
        *(
            Case(f"API URL {label}", module, args, env={"RUNPOD_API_BASE_URL": url})
            for label, url in urls
            for module, args in [("volume", ("list",)), ("api", ())]
        ),
        *(Case(f"answer {label}", "volume", ("list",), faults=fault) for label, fault in answers),
        Case(
            "read timeout not a number", "secret", ("list",), env={"SNIPPETS_READ_TIMEOUT": "soon"}
        ),
    )


def _lost_creates() -> tuple[Case, ...]:
    faults = [
        "rest_create:500",
        "rest_create:520",
        "rest_create:524",
        "rest_create:408",
        "rest_create:html200",
        "rest_create:truncated",
        "rest_create:drop",
        "rest_create:empty",
        "lost:rest_create",
        "timeout:rest_create=65",
    ]
    slow = {"SNIPPETS_READ_TIMEOUT": "0.5"}
    return (
        *(
            Case(
                f"volume create, {fault}",
                "volume",
                (*VOLUME, "dup"),
                faults=fault,
                env=slow,
                expect="maybe",
                creates="volumes",
            )
            for fault in faults
        ),
        *(
            Case(
                f"secret create, {fault}",
                "secret",
                (*SECRET, "dup"),
                stdin=MARKER.encode(),
                faults=fault,
                env=slow,
                expect="maybe",
                creates="secrets",
            )
            for fault in faults[:4]
        ),
        *(
            Case(
                f"pod up, {fault}",
                "pod",
                UP,
                faults=fault,
                env=slow,
                expect="adopted",
                creates="pods",
                before="volume",
            )
            for fault in faults
        ),
        Case(
            "volume create, Ctrl+C while waiting",
            "volume",
            (*VOLUME, "dup"),
            faults="timeout:rest_create=10",
            expect="maybe",
            creates="volumes",
            interrupt_after_post=True,
        ),
        Case(
            "pod up, Ctrl+C while waiting",
            "pod",
            UP,
            faults="timeout:rest_create=10",
            expect="maybe",
            creates="pods",
            before="volume",
            interrupt_after_post=True,
        ),
    )


def _pods() -> tuple[Case, ...]:
    return (
        Case(
            "pod up over the cap with --gpu",
            "pod",
            (*UP, "--gpu", "NVIDIA A100 80GB PCIe", "--max-price", "0.3"),
            before="volume",
        ),
        Case("pod up unknown GPU", "pod", (*UP, "--gpu", "NVIDIA GTX 9090"), before="volume"),
        Case(
            "pod up secret reference typo",
            "pod",
            (*UP, "--env", "KAGGLE_API_TOKEN={{ RUNPOD_SECRET_kagle_api_token }}"),
            before="volume_and_secret",
        ),
        Case("pod up env value with $", "pod", (*UP, "--env", "X=pa$$"), before="volume"),
        Case(
            "pod up env broken reference",
            "pod",
            (*UP, "--env", "X={{ RUNPOD_SECRET_a }"),
            before="volume",
        ),
        Case("pod up max hours negative", "pod", (*UP, "--max-hours", "-1"), before="volume"),
        Case("pod up max hours huge", "pod", (*UP, "--max-hours", "1e9"), before="volume"),
        Case(
            "pod up private key",
            "pod",
            ("up", "--volume", "{volume}", "--public-key-file", "{private_key}"),
            before="volume",
        ),
        Case(
            "pod up no capacity anywhere",
            "pod",
            UP,
            faults="create_pod:no_capacityx*",
            before="volume",
            expect="declined",
        ),
        Case(
            "pod up empty balance",
            "pod",
            UP,
            faults="create_pod:insufficient_balance",
            before="volume",
        ),
        Case(
            "pod up pod errors",
            "pod",
            UP,
            faults="pod:error",
            before="volume",
            expect="reported",
            creates="pods",
        ),
        Case(
            "pod up pod exits",
            "pod",
            UP,
            faults="pod:exits",
            before="volume",
            expect="reported",
            creates="pods",
        ),
        Case("pod down unknown", "pod", ("down", "nosuchpod")),
        Case(
            "pod ssh-config key path with a quote",
            "pod",
            ("ssh-config", "{pod}", "--identity-file", '~/.ssh/my"key'),
            before="pod_on_volume",
        ),
    )


def _arguments() -> tuple[Case, ...]:
    return tuple(
        Case(f"arguments {module} {' '.join(args)}".strip(), module, args)
        for module, args in [
            ("api", ("--bogus",)),
            ("volume", ()),
            ("volume", ("resize",)),
            ("secret", ("create",)),
            ("pricing", ("--max-price", "cheap")),
            ("pod", ("--bogus",)),
            ("pod", ("up", "--volume", "v", "--max-hours", "forever")),
            ("remote", ()),
            ("ssh_keys", ("check", "--bogus")),
            ("gcs_offload", ("sync",)),
        ]
    )


CASES: tuple[Case, ...] = (
    *_names(),
    *_volumes(),
    *_secrets(),
    *_keys_and_addresses(),
    *_lost_creates(),
    *_pods(),
    *_arguments(),
)
