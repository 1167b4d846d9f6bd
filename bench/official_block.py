#!/usr/bin/env python3
"""Times one transformer block of the official LTX-2 code, for comparison with bench_block.

The block is the reference's own (ltx-core's BasicAVTransformerBlock from Lightricks/LTX-2,
imported from the checkout given with --reference; nothing of it is copied here), built for the
real 19B configuration read from tests/golden/manifest/transformer.json, with random weights, and
run as the official pipelines run it on a CPU: weights and activations in bfloat16. Its inputs are
made by the reference model's own preprocessors (patchify, AdaLN, caption projection, RoPE) from
the same latent grids, positions, sigma (0.7) and 1024-token text context as bench_block; only the
block's forward is timed. The official block computes the text cross-attention keys and values in
every call, so its figures compare with bench_block's "text K/V per step" rows.

Every figure is the median, with min and max, of --reps repetitions; within a repetition each
token count runs once, after one untimed warm-up call each.

Setup (Debian packages, no pip):
    apt-get install -y python3-torch libopenblas0-pthread
    git -C LTX-2 archive 28c3c73 | tar -x -C /tmp/ltx2-ref    # or any checkout of that commit
    /usr/bin/python3 bench/official_block.py --reference /tmp/ltx2-ref --video-tokens 384 1536

The reference asks for torch 2.7 and einops; Debian 12 has torch 1.13 and no einops. Where a
function the block calls is missing, a stand-in computing the same thing is installed, and the
output names each one ("stand_ins"): torch.nn.functional.scaled_dot_product_attention (as torch's
own math path: softmax(q k^T / sqrt(d) + mask) v in the input dtype), torch.nn.functional.rms_norm
and torch.nn.RMSNorm (in float32 like torch's, the result cast back), and einops.rearrange (only
the split and merge of the last axis that the reference's RoPE uses). With a torch >= 2.4 and
einops installed none is used.
"""
import argparse
import inspect
import json
import math
import os
import platform
import statistics
import sys
import time
import types
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
# Video latent grids (frames, rows, cols) and audio tokens of bench_block's workloads.
WORKLOADS = {384: (3, 8, 16, 26), 1536: (4, 16, 24, 26), 6144: (16, 16, 24, 126)}


def install_stand_ins():
    """Stand-ins for what the reference needs and this torch lacks; returns their names."""
    used = []
    functional = torch.nn.functional
    if not hasattr(functional, "scaled_dot_product_attention"):

        def scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False):
            if dropout_p or is_causal:
                raise NotImplementedError("stand-in scaled_dot_product_attention: no dropout, not causal")
            scores = torch.matmul(q, k.transpose(-2, -1)).mul_(1.0 / math.sqrt(q.shape[-1]))
            if attn_mask is not None:
                scores += attn_mask
            return torch.matmul(scores.softmax(dim=-1), v)

        functional.scaled_dot_product_attention = scaled_dot_product_attention
        used.append("torch.nn.functional.scaled_dot_product_attention")
    if not hasattr(functional, "rms_norm"):

        def rms_norm(x, normalized_shape, weight=None, eps=None):
            dims = tuple(range(-len(normalized_shape), 0))
            wide = x.float()
            eps = torch.finfo(wide.dtype).eps if eps is None else eps
            out = (wide * torch.rsqrt(wide.pow(2).mean(dim=dims, keepdim=True) + eps)).type_as(x)
            return out * weight if weight is not None else out

        functional.rms_norm = rms_norm
        used.append("torch.nn.functional.rms_norm")
    if not hasattr(torch.nn, "RMSNorm"):

        class RMSNorm(torch.nn.Module):
            def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
                super().__init__()
                shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
                self.normalized_shape, self.eps = shape, eps
                self.weight = torch.nn.Parameter(torch.ones(shape)) if elementwise_affine else None

            def forward(self, x):
                return torch.nn.functional.rms_norm(x, self.normalized_shape, self.weight, self.eps)

        torch.nn.RMSNorm = RMSNorm
        used.append("torch.nn.RMSNorm")
    try:
        import einops  # noqa: F401
    except ImportError:
        sys.modules["einops"] = einops_stand_in()
        used.append("einops.rearrange")
    return used


def einops_stand_in():
    """einops with only rearrange's split "... (a b) -> ... a b" and merge "... a b -> ... (a b)"."""

    def rearrange(tensor, pattern, **sizes):
        source, target = (side.split() for side in pattern.split("->"))
        if len(source) == 3 and source[0] == "..." and source[1].startswith("(") and target[0] == "...":
            a, b = source[1].strip("("), source[2].strip(")")
            if target[1:] == [a, b] and len(sizes) == 1:
                (name, size), = sizes.items()
                n = tensor.shape[-1]
                shape = (size, n // size) if name == a else (n // size, size)
                return tensor.reshape(*tensor.shape[:-1], *shape)
        if len(source) == 3 and source[0] == "..." and target[0] == "..." and len(target) == 3:
            if target[1] == "(" + source[1] and target[2] == source[2] + ")":
                return tensor.flatten(-2)
        raise NotImplementedError(f"einops stand-in: pattern '{pattern}' is not supported")

    module = types.ModuleType("einops")
    module.rearrange = rearrange
    return module


def import_reference(reference):
    """The reference's LTXModel class and Modality, without ltx-core's loader (it needs triton)."""
    src = Path(reference) / "packages" / "ltx-core" / "src"
    if not (src / "ltx_core" / "model" / "transformer" / "transformer.py").is_file():
        sys.exit(f"error: --reference {reference}: expected a Lightricks/LTX-2 checkout "
                 f"with packages/ltx-core/src/ltx_core/model/transformer/transformer.py")
    sys.path.insert(0, str(src))
    # The transformer package's __init__ imports the model configurator and through it the
    # checkpoint loader; its modules themselves need neither, so the package is entered bare.
    package = types.ModuleType("ltx_core.model.transformer")
    package.__path__ = [str(src / "ltx_core" / "model" / "transformer")]
    sys.modules[package.__name__] = package
    from ltx_core.model.transformer import attention, model, modality, rope
    return model, modality, attention, rope


def reference_model(model_module, attention, rope, config, dtype):
    """A one-block LTXModel of `config` (the checkpoint's transformer config), random weights."""
    cls = model_module.LTXModel
    accepted = inspect.signature(cls.__init__).parameters
    kwargs = {key: value for key, value in config.items() if key in accepted}
    kwargs.update(
        model_type=model_module.LTXModelType.AudioVideo,
        num_layers=1,
        attention_type=attention.AttentionFunction(config.get("attention_type", "default")),
        rope_type=rope.LTXRopeType(config.get("rope_type", "interleaved")),
        double_precision_rope=config.get("frequencies_precision") == "float64",
    )
    net = cls(**kwargs)
    torch.manual_seed(7)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            elif name.endswith(".weight") and p.dim() == 2:
                p.uniform_(-math.sqrt(3.0 / p.shape[1]), math.sqrt(3.0 / p.shape[1]))
            else:
                p.uniform_(-0.02, 0.02)
    return net.to(dtype).eval()


def video_positions(frames, rows, cols):
    """[1, 3, T, 2] bounds per token, as bench_block builds them (24 fps, 8x temporal, 32 px)."""
    f = torch.arange(frames).repeat_interleave(rows * cols).float()
    h = torch.arange(rows).repeat_interleave(cols).repeat(frames).float()
    w = torch.arange(cols).repeat(frames * rows).float()
    t = torch.stack([(8 * f - 7).clamp(min=0) / 24, (8 * f + 1) / 24], dim=-1)
    return torch.stack([t, torch.stack([32 * h, 32 * h + 32], -1), torch.stack([32 * w, 32 * w + 32], -1)])[None]


def audio_positions(tokens):
    i = torch.arange(tokens).float()
    return torch.stack([(4 * i - 3).clamp(min=0) * 160 / 16000, (4 * i + 1) * 160 / 16000], dim=-1)[None, None]


def block_inputs(net, modality, video_tokens, context_tokens, caption_channels, dtype):
    frames, rows, cols, audio_tokens = WORKLOADS.get(video_tokens, (1, 1, video_tokens, 26))
    g = torch.Generator().manual_seed(11)
    context = torch.rand(1, context_tokens, caption_channels, generator=g).mul(2).sub(1).to(dtype)

    def make(tokens, positions):
        latent = torch.rand(1, tokens, 128, generator=g).mul(2).sub(1).to(dtype)
        timesteps = torch.full((1, tokens), 0.7, dtype=dtype)
        return modality.Modality(latent=latent, timesteps=timesteps, positions=positions, context=context)

    with torch.inference_mode():
        video = net.video_args_preprocessor.prepare(make(video_tokens, video_positions(frames, rows, cols)))
        audio = net.audio_args_preprocessor.prepare(make(audio_tokens, audio_positions(audio_tokens)))
    return video, audio, audio_tokens


def time_block(block, video, audio):
    with torch.inference_mode():
        start = time.perf_counter()
        out_video, _ = block(video=video, audio=audio)
        seconds = time.perf_counter() - start
    if not torch.isfinite(out_video.x[0, 0, 0]):
        sys.exit("error: non-finite output from the reference block")
    return seconds


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", required=True, help="checkout of Lightricks/LTX-2 at 28c3c73")
    parser.add_argument("--manifest", default=str(REPO / "tests/golden/manifest/transformer.json"),
                        help="tensor manifest whose config_metadata is the 19B config")
    parser.add_argument("--video-tokens", type=int, nargs="+", default=[384, 1536, 6144])
    parser.add_argument("--context", type=int, default=1024, help="text context tokens")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions (the median is reported)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="torch threads (default: the cores this process may use)")
    parser.add_argument("--dtype", choices=["bfloat16", "float32"], default="bfloat16",
                        help="weights and activations (the official pipelines use bfloat16)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout; the table goes to stderr")
    args = parser.parse_args()
    if args.reps < 1:
        sys.exit(f"error: --reps {args.reps}: expected at least 1 repetition")
    table = sys.stderr if args.json else sys.stdout
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)

    stand_ins = install_stand_ins()
    model_module, modality, attention, rope = import_reference(args.reference)
    with open(args.manifest) as f:
        metadata = json.load(f)["config_metadata"]
    config = (json.loads(metadata) if isinstance(metadata, str) else metadata)["transformer"]
    net = reference_model(model_module, attention, rope, config, dtype)
    block = net.transformer_blocks[0]
    print(f"CPU: {cpu_model()}; torch {torch.__version__}, {torch.get_num_threads()} threads, {args.dtype}; "
          f"stand-ins: {', '.join(stand_ins) or 'none'}", file=table)

    cases = []
    for tv in args.video_tokens:
        video, audio, ta = block_inputs(net, modality, tv, args.context, config["caption_channels"], dtype)
        time_block(block, video, audio)  # warm-up
        cases.append({"video_tokens": tv, "audio_tokens": ta, "video": video, "audio": audio, "seconds": []})
    load_before = os.getloadavg()[0]
    for r in range(args.reps):
        print(f"repetition {r + 1} of {args.reps} ...", file=sys.stderr)
        for case in cases:
            case["seconds"].append(time_block(block, case["video"], case["audio"]))
    load_after = os.getloadavg()[0]

    print(f"official block, medians of {args.reps} repetitions [min - max]; load average {load_before:.2f} before, "
          f"{load_after:.2f} after", file=table)
    print(f"{'video':>8} {'audio':>6} | ms/block [min - max]", file=table)
    rows = []
    for case in cases:
        s = case["seconds"]
        row = {"model": "19b", "video_tokens": case["video_tokens"], "audio_tokens": case["audio_tokens"],
               "context_tokens": args.context, "text_kv_cached": False,
               "ms_per_block_median": statistics.median(s) * 1e3, "ms_per_block_min": min(s) * 1e3,
               "ms_per_block_max": max(s) * 1e3, "ms_per_block_samples": [x * 1e3 for x in s]}
        rows.append(row)
        print(f"{row['video_tokens']:>8} {row['audio_tokens']:>6} | {row['ms_per_block_median']:8.1f} "
              f"[{row['ms_per_block_min']:.1f} - {row['ms_per_block_max']:.1f}]", file=table)
    if args.json:
        print(json.dumps({"benchmark": "official_block", "reference": str(args.reference), "cpu": cpu_model(),
                          "torch": torch.__version__, "dtype": args.dtype, "threads": torch.get_num_threads(),
                          "stand_ins": stand_ins, "reps": args.reps, "load_average_before": load_before,
                          "load_average_after": load_after, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
