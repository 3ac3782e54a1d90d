#!/usr/bin/env python3
"""Top frames of GuardOrder's time in a dotnet-trace speedscope file.

    dotnet-trace collect --profile dotnet-sampled-thread-time --format speedscope -o real.nettrace -- \
        tests/GuardOrder.Benchmarks/bin/Release/net10.0/GuardOrder.Benchmarks --profile-real 20000
    python3 tests/GuardOrder.Benchmarks/speedscope_top.py real.speedscope.json

Only time whose stack contains a GuardOrder.Analyzers frame counts ("GuardOrder time"). Prints,
as markdown: the analyzers' callbacks (entry frames) by inclusive share, GuardOrder.Analyzers methods
by inclusive share, and the leaf frames (any assembly) by exclusive share within GuardOrder time.
Thread-time sampling: time a thread spends blocked is included, so a lock wait shows up too.

    python3 speedscope_top.py real.speedscope.json --callers GetHashCodeWorker [depth]

prints instead who calls the frames matching a regular expression (the nearest `depth` callers,
default 4) within GuardOrder time: where a leaf such as a runtime helper is reached from.

    python3 speedscope_top.py real.speedscope.json --callees GO0005SecurityBypassAnalyzer.Analyze [depth]

prints what a GuardOrder method's own share is spent in: for the time whose deepest GuardOrder frame
matches the pattern, the next `depth` frames below it (default 3), i.e. the compiler, collection or
runtime code it calls directly.

    python3 speedscope_top.py seq.speedscope.json --steady [skip] [top]

the steady state: drops the first `skip` (default 0.3) of GuardOrder time, in time order (the first
analysis of a run, where the JIT and the compiler's first-time paths land in whichever frame asks first:
`--alloc-seq`'s warm-up is a quarter of its GuardOrder runs), splits the rest into collections (a stack
through `PollGC`: the thread stopped for a collection), waits (a monitor, a sleep, a wait handle as the
leaf) and work, and lists the work by the deepest GuardOrder frame, with what the top five call below it.
"""
import json
import re
import sys
from collections import defaultdict

GO = "GuardOrder.Analyzers!"


def short(name):
    name = re.sub(r"\(.*\)$", "", name)
    asm, _, method = name.partition("!")
    if not method:
        return name
    method = re.sub(r"^GuardOrder\.Analyzers\.(Model\.)?", "", method)
    method = re.sub(r"^System\.Collections\.Immutable\.", "Immutable.", method)
    method = re.sub(r"^Microsoft\.CodeAnalysis\.", "Roslyn.", method)
    return method if asm == "GuardOrder.Analyzers" else f"{method} [{asm}]"


def samples(path, with_time=False):
    """Each sampled interval of the trace: (frame names of the stack, outermost first; duration in ms[; start])."""
    d = json.load(open(path))
    frames = [f["name"] for f in d["shared"]["frames"]]
    for p in d["profiles"]:
        stack = []
        last = None
        for e in p.get("events", []):
            at = e["at"]
            if last is not None and stack and at > last:
                names = [frames[i] for i in stack]
                yield (names, at - last, last) if with_time else (names, at - last)
            last = at
            if e["type"] == "O":
                stack.append(e["frame"])
            elif e["type"] == "C" and e["frame"] in stack:
                # close the frame (and anything above it, defensively)
                k = len(stack) - 1 - stack[::-1].index(e["frame"])
                del stack[k:]


def callers(path, pattern, depth=4):
    chains = defaultdict(float)
    total = 0.0
    for names, dt in samples(path):
        if any(n.startswith(GO) for n in names):
            for k in range(len(names) - 1, -1, -1):
                if re.search(pattern, names[k]):
                    chain = " <- ".join(short(n) for n in names[max(0, k - depth):k + 1][::-1])
                    chains[chain] += dt
                    total += dt
                    break
    print(f"{total / 1000:.2f} s of GuardOrder time in frames matching {pattern!r}")
    for c, t in sorted(chains.items(), key=lambda x: -x[1])[:20]:
        print(f"{100 * t / max(total, 1e-9):5.1f} % {c}")
    return 0


def callees(path, pattern, depth=3):
    chains = defaultdict(float)
    total = 0.0
    for names, dt in samples(path):
        go_idx = [k for k, n in enumerate(names) if n.startswith(GO)]
        if go_idx and re.search(pattern, names[go_idx[-1]]):
            k = go_idx[-1]
            below = [short(n) for n in names[k + 1:k + 1 + depth] if "!" in n] or ["(own code)"]
            chains[" -> ".join(below)] += dt
            total += dt
    print(f"{total / 1000:.2f} s of GuardOrder time with the deepest GuardOrder frame matching {pattern!r}")
    for c, t in sorted(chains.items(), key=lambda x: -x[1])[:20]:
        print(f"{100 * t / max(total, 1e-9):5.1f} % {c}")
    return 0


def kind(names):
    """What a sample of GuardOrder time is: a collection, a wait, or work."""
    if any("PollGC" in n for n in names):
        return "collection"
    real = [n for n in names if "!" in n]  # skip CPU_TIME / UNMANAGED_CODE_TIME pseudo-frames
    leaf = real[-1] if real else names[-1]
    if re.search(r"Monitor\.(Enter|Wait|ReliableEnter)|WaitHandle|\.Sleep|SpinWait|WaitOne|Wait_Slowpath|Enter_Slowpath", leaf):
        return "wait"
    return "work"


def steady(path, skip=0.3, top=25):
    go = sorted(((t, names, dt) for names, dt, t in samples(path, with_time=True) if any(n.startswith(GO) for n in names)), key=lambda x: x[0])
    total = sum(dt for _, _, dt in go)
    if total == 0:
        print("no GuardOrder.Analyzers frames in the trace")
        return 1
    seen, start = 0.0, 0
    for start, (_, _, dt) in enumerate(go):
        if seen >= skip * total:
            break
        seen += dt
    kept = go[start:]
    kept_total = sum(dt for _, _, dt in kept)
    kinds = defaultdict(float)
    work = defaultdict(float)
    below = defaultdict(lambda: defaultdict(float))
    for _, names, dt in kept:
        k = kind(names)
        kinds[k] += dt
        if k == "work":
            go_idx = [i for i, n in enumerate(names) if n.startswith(GO)]
            deepest = names[go_idx[-1]]
            work[deepest] += dt
            callee = next((short(n) for n in names[go_idx[-1] + 1:] if "!" in n), "(own code)")
            below[deepest][callee] += dt
    print(f"Steady GuardOrder time: {kept_total / 1000:.2f} s (the first {100 * skip:.0f} % of {total / 1000:.2f} s dropped).")
    print()
    print("| kind | share |")
    print("|---|---:|")
    for k in ("work", "collection", "wait"):
        print(f"| {k} | {100 * kinds[k] / kept_total:.1f} % |")
    print()
    print("| work: deepest GuardOrder frame | share of work | mostly in |")
    print("|---|---:|---|")
    for rank, (n, t) in enumerate(sorted(work.items(), key=lambda x: -x[1])[:top]):
        callees_of = sorted(below[n].items(), key=lambda x: -x[1])
        first = f"`{callees_of[0][0]}` {100 * callees_of[0][1] / t:.0f} %" if rank < 5 and callees_of else ""
        print(f"| `{short(n)}` | {100 * t / max(kinds['work'], 1e-9):.1f} % | {first} |")
    return 0


def main(path, top=15):
    inclusive = defaultdict(float)
    exclusive = defaultdict(float)
    entry = defaultdict(float)
    deepest_go = defaultdict(float)
    total_go = 0.0
    total = 0.0
    for names, dt in samples(path):
        total += dt
        go_idx = [k for k, n in enumerate(names) if n.startswith(GO)]
        if go_idx:
            total_go += dt
            for n in set(names[go_idx[0]:]):
                inclusive[n] += dt
            real = [n for n in names if "!" in n]  # skip CPU_TIME / UNMANAGED_CODE_TIME pseudo-frames
            exclusive[real[-1]] += dt
            deepest_go[names[go_idx[-1]]] += dt
            entry[names[go_idx[0]]] += dt
    if total_go == 0:
        print("no GuardOrder.Analyzers frames in the trace")
        return 1
    print(f"GuardOrder time: {total_go / 1000:.1f} s of {total / 1000:.1f} s thread time in the trace ({100 * total_go / total:.0f} %).")
    print()
    print("| entry (first GuardOrder frame) | share of GuardOrder time |")
    print("|---|---:|")
    for n, t in sorted(entry.items(), key=lambda x: -x[1])[:8]:
        print(f"| `{short(n)}` | {100 * t / total_go:.0f} % |")
    print()
    print("| GuardOrder method (inclusive) | share |")
    print("|---|---:|")
    for n, t in sorted(((n, t) for n, t in inclusive.items() if n.startswith(GO)), key=lambda x: -x[1])[:top]:
        print(f"| `{short(n)}` | {100 * t / total_go:.0f} % |")
    print()
    print("| deepest GuardOrder frame (its own code + the non-GuardOrder code it calls) | share |")
    print("|---|---:|")
    for n, t in sorted(deepest_go.items(), key=lambda x: -x[1])[:top]:
        print(f"| `{short(n)}` | {100 * t / total_go:.1f} % |")
    print()
    print("| leaf frame (exclusive, any assembly) | share |")
    print("|---|---:|")
    for n, t in sorted(exclusive.items(), key=lambda x: -x[1])[:top]:
        print(f"| `{short(n)}` | {100 * t / total_go:.1f} % |")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--steady":
        sys.exit(steady(sys.argv[1], float(sys.argv[3]) if len(sys.argv) > 3 else 0.3, int(sys.argv[4]) if len(sys.argv) > 4 else 25))
    if len(sys.argv) > 3 and sys.argv[2] == "--callees":
        sys.exit(callees(sys.argv[1], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 3))
    if len(sys.argv) > 3 and sys.argv[2] == "--callers":
        sys.exit(callers(sys.argv[1], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 4))
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15))
