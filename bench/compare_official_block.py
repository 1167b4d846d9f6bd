#!/usr/bin/env python3
"""Times one 19B transformer block in our engine (bench_block) and in the official code
(official_block.py) in the same session, under the same thread count, and prints per token
count: our ms, the official ms, and how many times faster ours is.

    apt-get install -y python3-torch libopenblas0-pthread    # see official_block.py
    /usr/bin/python3 bench/compare_official_block.py --reference /tmp/ltx2-ref \\
        --video-tokens 384 1536 --reps 5 --tmp /work/bigtmp

The two take turns, --rounds times (ours first in each round), each run with its own warm-up and
--reps repetitions; the figures are the median, min and max of all the repetitions of all rounds.
Taking turns lets a change in the machine's load reach both alike. The load average before and
after each run is printed, since on a shared machine a figure is only as good as the quiet it was
measured in. The official block
recomputes the text keys and values in every call, so the ratio is against our "text K/V per
step" figure; the "cached" column shows ours when the K/V are computed once per generation.
bench_block exits non-zero on impossible figures, and then so does this script.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_json(command, env):
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"error: {command[0]} exited with {done.returncode} and printed no JSON on stdout")
    if done.returncode != 0:
        for why in result.get("impossible", []):
            print(f"impossible: {why}", file=sys.stderr)
        sys.exit(f"error: {command[0]} exited with {done.returncode}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, help="checkout of Lightricks/LTX-2 at 28c3c73")
    parser.add_argument("--bench-block", default=str(REPO / "build/bin/bench_block"), help="the bench_block binary")
    parser.add_argument("--video-tokens", nargs="+", default=["384", "1536"])
    parser.add_argument("--reps", default="5", help="repetitions of each in each round")
    parser.add_argument("--rounds", type=int, default=1, help="turns each takes, alternating")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="threads for both (OMP_NUM_THREADS for ours, torch.set_num_threads for theirs)")
    parser.add_argument("--tmp", default="/tmp", help="folder for bench_block's random-weight checkpoint")
    parser.add_argument("--json", action="store_true", help="print both benchmarks' JSON objects as one")
    args = parser.parse_args()

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    ours_runs, their_runs = [], []
    for _ in range(args.rounds):
        ours_runs.append(run_json([args.bench_block, "--json", "--models", "19b", "--reps", args.reps, "--tmp",
                                   args.tmp, "--video-tokens", *args.video_tokens], env))
        their_runs.append(run_json([sys.executable, str(REPO / "bench/official_block.py"), "--json", "--reference",
                                    args.reference, "--reps", args.reps, "--threads", str(args.threads),
                                    "--video-tokens", *args.video_tokens], env))
    if args.json:
        print(json.dumps({"bench_block": ours_runs, "official_block": their_runs}, indent=1))
        return

    def pooled(runs, tokens, cached=False):
        """Median, min and max (ms) of a row's samples over all runs."""
        samples = [x for run in runs for row in run["rows"]
                   if row["video_tokens"] == tokens and row["text_kv_cached"] == cached
                   for x in row["ms_per_block_samples"]]
        return statistics.median(samples), min(samples), max(samples)

    ours, theirs = ours_runs[0], their_runs[0]
    print(f"CPU: {ours['cpu']}; {ours['isa']}; {ours['threads']} threads (official: torch {theirs['torch']}, "
          f"{theirs['threads']} threads, {theirs['dtype']}, stand-ins: {', '.join(theirs['stand_ins']) or 'none'})")
    for i, (o, t) in enumerate(zip(ours_runs, their_runs)):
        print(f"round {i + 1} load average: ours {o['load_average_before']:.2f} -> {o['load_average_after']:.2f}, "
              f"official {t['load_average_before']:.2f} -> {t['load_average_after']:.2f}")
    print(f"medians of {args.rounds} x {args.reps} repetitions [min - max], ms per block")
    print(f"{'video':>6} {'audio':>5} | {'ours, K/V per step':>22} | {'ours, K/V cached':>22} | "
          f"{'official':>22} | official / ours")
    span = lambda m: f"{m[0]:7.1f} [{m[1]:.0f}-{m[2]:.0f}]"
    for row in theirs["rows"]:
        tokens = row["video_tokens"]
        step, cached, official = pooled(ours_runs, tokens), pooled(ours_runs, tokens, True), pooled(their_runs, tokens)
        print(f"{tokens:>6} {row['audio_tokens']:>5} | {span(step):>22} | {span(cached):>22} | "
              f"{span(official):>22} | {official[0] / step[0]:.2f}x")


if __name__ == "__main__":
    main()
