#!/usr/bin/env python3
"""seccomp-oci.py — a docker/moby-format seccomp profile as OCI linux.seccomp.

usage: seccomp-oci.py PROFILE CONFIG   (prints the linux.seccomp object)

docker's default profile (and podman's /usr/share/containers/seccomp.json,
derived from it) is not in the OCI format: it lists rules for every
architecture and capability set, and the engine picks the ones that apply
when it writes config.json.  This does the same selection docker does
(moby's profiles/seccomp setupSeccomp), for the machine's architecture and
the bounding capabilities of CONFIG's process:

- architectures: the archMap entry of the native architecture and its
  subArchitectures (an old-style "architectures" list is taken as is);
- a rule is dropped if excludes.arches names this architecture, if any of
  excludes.caps is in the bounding set, or if excludes.minKernel <= the
  running kernel; and if includes.arches does not name this architecture,
  if one of includes.caps is missing from the bounding set, or if
  includes.minKernel > the running kernel;
- what is kept: names (or the old single "name"), action, errnoRet, args.
  comment, includes, excludes and podman's "errno" string are dropped.
"""
import json
import platform
import sys

# uname -m -> (Go's GOARCH, as includes/excludes.arches name it;
#              libseccomp's name of the native architecture)
ARCH = {
    "x86_64": ("amd64", "SCMP_ARCH_X86_64"),
    "aarch64": ("arm64", "SCMP_ARCH_AARCH64"),
    "ppc64le": ("ppc64le", "SCMP_ARCH_PPC64LE"),
    "s390x": ("s390x", "SCMP_ARCH_S390X"),
    "riscv64": ("riscv64", "SCMP_ARCH_RISCV64"),
}


def kernel_tuple(s):
    """'6.1.0-18-amd64' -> (6, 1); '5.8' -> (5, 8)."""
    parts = []
    for p in s.split("-")[0].split(".")[:2]:
        digits = "".join(c for c in p if c.isdigit()) or "0"
        parts.append(int(digits))
    return tuple(parts + [0] * (2 - len(parts)))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seccomp-oci.py PROFILE CONFIG")
    with open(sys.argv[1]) as f:
        prof = json.load(f)
    with open(sys.argv[2]) as f:
        cfg = json.load(f)
    machine = platform.machine()
    if machine not in ARCH:
        sys.exit(f"seccomp-oci.py: architecture '{machine}' not known here")
    goarch, native = ARCH[machine]
    kernel = kernel_tuple(platform.release())
    bounding = set(((cfg.get("process") or {}).get("capabilities") or {})
                   .get("bounding") or [])

    out = {"defaultAction": prof["defaultAction"]}
    if "defaultErrnoRet" in prof:
        out["defaultErrnoRet"] = prof["defaultErrnoRet"]
    if prof.get("archMap"):
        arches = []
        for a in prof["archMap"]:
            if a["architecture"] == native:
                arches += [a["architecture"]] + (a.get("subArchitectures")
                                                 or [])
        out["architectures"] = arches
    elif prof.get("architectures"):
        out["architectures"] = prof["architectures"]
    if prof.get("flags"):
        out["flags"] = prof["flags"]

    rules = []
    for call in prof.get("syscalls") or []:
        inc = call.get("includes") or {}
        exc = call.get("excludes") or {}
        if goarch in (exc.get("arches") or []):
            continue
        if any(c in bounding for c in exc.get("caps") or []):
            continue
        if exc.get("minKernel") and kernel >= kernel_tuple(exc["minKernel"]):
            continue
        if inc.get("arches") and goarch not in inc["arches"]:
            continue
        if any(c not in bounding for c in inc.get("caps") or []):
            continue
        if inc.get("minKernel") and kernel < kernel_tuple(inc["minKernel"]):
            continue
        names = call.get("names") or ([call["name"]] if call.get("name")
                                      else [])
        if not names:
            continue
        rule = {"names": names, "action": call["action"]}
        if call.get("errnoRet") is not None:
            rule["errnoRet"] = call["errnoRet"]
        if call.get("args"):
            rule["args"] = [{k: a[k] for k in ("index", "value", "valueTwo",
                                               "op") if k in a}
                            for a in call["args"]]
        rules.append(rule)
    out["syscalls"] = rules
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
