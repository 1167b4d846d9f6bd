#!/usr/bin/python3 -u
"""Golden fixture of the LTX-2.5 DiffVAE decoder's *tiled* decode, computed by the reference.

Runs `DiffusionVideoDecoder.tiled_decode(latent, TileSizeConfig, generator)` of Lightricks/LTX-2
at 400fd31 (an export of packages/ltx-core placed outside this repository, --ref) on the tiny
decoder of tests/golden/ltx25/video_vae/diffvae_decoder.model.safetensors, in the mode the
pipelines use on a host without natten / Triton (DiffVAEMode.CHUNKED_EAGER -> chunked blocks,
eager neighborhood attention), float32, and writes in.latent / out.video plus metadata in the
.io.safetensors layout of the untiled fixture.

  git -C <LTX-2 mirror> archive 400fd31 packages/ltx-core | tar -x -C /work/ref400
  /usr/bin/python3 tools/golden/ltx25/gen_diffvae_tiled.py --ref /work/ref400 --check-untiled

--check-untiled first reproduces the untiled fixture (diffvae_decoder.io.safetensors) through
the same harness, to show the harness loads and runs the decoder as the fixture's maker did.
Needs only Debian's python3-torch (1.13): torch_compat.py supplies the newer names the
reference touches.
"""

import argparse
import json
import struct
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
GOLDEN = REPO / "tests" / "golden" / "ltx25" / "video_vae"

_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "I64": torch.int64}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    data = Path(path).read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        lo, hi = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        raw = bytearray(body[lo:hi])
        t = torch.frombuffer(raw, dtype=dtype) if hi > lo else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def reference_state_dict(weights):
    """The checkpoint's names -> the module's: prefix, t_embedder MLP, fused QKV split."""
    out = {}
    for name, value in weights.items():
        value = value.to(torch.float32)
        if name.startswith("vae.per_channel_statistics."):
            out[name.removeprefix("vae.")] = value
            continue
        if not name.startswith("vae.decoder."):
            raise ValueError(f"unexpected tensor {name}")
        key = name.removeprefix("vae.decoder.")
        key = key.replace("t_embedder.mlp.0.", "t_embedder.timestep_embedder.linear_1.")
        key = key.replace("t_embedder.mlp.2.", "t_embedder.timestep_embedder.linear_2.")
        if ".qkv." in key:
            d = value.shape[0] // 3
            for i, part in enumerate(("to_q", "to_k", "to_v")):
                out[key.replace(".qkv.", f".qkv.{part}.")] = value[i * d : (i + 1) * d].clone()
            continue
        out[key] = value
    return out


def _window_starts(length, kernel):
    """natten na3d window start per index: centred, shifted inwards at the borders."""
    kernel = min(kernel, length)
    i = torch.arange(length)
    return (i - kernel // 2).clamp(0, length - kernel), kernel


def gather_na3d(q, k, v, kernel_size):
    """Neighborhood attention on (B, T, H, W, NH, HD), q already scaled, natten na3d windows:
    the same function as the reference's eager backend, computed frame by frame on gathered
    windows (the eager backend's dense masked tiles take hours on two CPU cores)."""
    b, t, h, w, nh, hd = q.shape
    st, kt = _window_starts(t, kernel_size[0])
    sh, kh = _window_starts(h, kernel_size[1])
    sw, kw = _window_starts(w, kernel_size[2])
    ih = (sh[:, None] + torch.arange(kh)[None, :])  # (h, kh)
    iw = (sw[:, None] + torch.arange(kw)[None, :])  # (w, kw)
    out = torch.empty_like(v)
    rows = max(1, (1 << 21) // max(1, kt * kh * w * kw * nh * hd))  # rows per gather (~8 MB)
    for ti in range(t):
        ks = k[:, st[ti] : st[ti] + kt]  # (b, kt, H, W, nh, hd)
        vs = v[:, st[ti] : st[ti] + kt]
        for r0 in range(0, h, rows):
            r1 = min(h, r0 + rows)
            # (b, kt, rows, kh, w, kw, nh, hd)
            kg = ks[:, :, ih[r0:r1]][:, :, :, :, iw]
            vg = vs[:, :, ih[r0:r1]][:, :, :, :, iw]
            scores = torch.einsum("bhwnd,bthiwjnd->bhwntij", q[:, ti, r0:r1], kg)
            p = torch.softmax(scores.reshape(*scores.shape[:4], -1), dim=-1).reshape(scores.shape)
            out[:, ti, r0:r1] = torch.einsum("bhwntij,bthiwjnd->bhwnd", p, vg)
    return out


class GatherNaAttention:
    def __call__(self, attn, q, k, v):
        return gather_na3d(q, k, v, list(attn.kernel_size))


def load_decoder(model_path, gather_na):
    from ltx_core.model.video_vae.model_configurator import VideoDecoderConfigurator
    from ltx_core.model.video_vae.transformer import DiffVAEMode, apply_diffvae_mode

    weights, meta = read_safetensors(model_path)
    decoder = VideoDecoderConfigurator.from_metadata({"config": json.loads(meta["config"])})
    missing, unexpected = decoder.load_state_dict(reference_state_dict(weights), strict=False)
    missing = [k for k in missing if not k.endswith(("rope_inv_t", "rope_inv_h", "rope_inv_w"))]
    if missing or unexpected:
        raise ValueError(f"state dict mismatch: missing {missing[:8]}, unexpected {unexpected[:8]}")
    decoder = apply_diffvae_mode(decoder.to(torch.float32), DiffVAEMode.CHUNKED_EAGER)
    if gather_na:
        from ltx_core.model.video_vae.transformer.attention import NeighborhoodAttention3D

        for module in decoder.modules():
            if isinstance(module, NeighborhoodAttention3D):
                module.attention_function = GatherNaAttention()
    return decoder.eval(), meta


def check_untiled(decoder):
    io, _ = read_safetensors(GOLDEN / "diffvae_decoder.io.safetensors")
    gen = torch.Generator("cpu").manual_seed(42)
    with torch.no_grad():
        video = decoder(io["in.latent"], generator=gen)
    ref = io["out.video"]
    rel = (video - ref).abs().max().item() / ref.abs().max().item()
    print(f"untiled fixture reproduced: max |diff| / max |ref| = {rel:.3e}")
    if rel > 5e-5:
        raise SystemExit("the harness does not reproduce the untiled fixture")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref", required=True, help="directory holding packages/ltx-core of 400fd31")
    p.add_argument("--out", default=str(GOLDEN / "diffvae_decoder_tiled.io.safetensors"))
    p.add_argument("--latent", default="1,128,7,7,7", help="latent shape B,C,T,H,W")
    p.add_argument("--frames", default="48,40", help="temporal tile,overlap in frames (0,0: untiled)")
    p.add_argument("--height", default="184,160", help="row tile,overlap in pixels")
    p.add_argument("--width", default="0,0", help="column tile,overlap in pixels")
    p.add_argument("--seed", type=int, default=2024, help="noise generator seed")
    p.add_argument("--latent-seed", type=int, default=7)
    p.add_argument("--check-untiled", action="store_true")
    p.add_argument("--eager-na", action="store_true",
                   help="the reference's eager attention backend instead of the gather stand-in (very slow)")
    a = p.parse_args()

    sys.path.insert(0, str(HERE))
    import torch_compat

    torch_compat.install()
    sys.path.insert(0, str(Path(a.ref) / "packages" / "ltx-core" / "src"))
    from ltx_core.tiling import DimensionSizeConfig, TileSizeConfig

    torch.set_num_threads(2)
    decoder, model_meta = load_decoder(GOLDEN / "diffvae_decoder.model.safetensors", not a.eager_na)
    if a.check_untiled:
        check_untiled(decoder)

    shape = [int(v) for v in a.latent.split(",")]
    latent = torch.randn(shape, generator=torch.Generator("cpu").manual_seed(a.latent_seed), dtype=torch.float32)

    def axis(text):
        tile, overlap = (int(v) for v in text.split(","))
        return DimensionSizeConfig(tile_size=tile, overlap=overlap)

    tiling = TileSizeConfig(frames=axis(a.frames), height=axis(a.height), width=axis(a.width))
    gen = torch.Generator("cpu").manual_seed(a.seed)
    with torch.no_grad():
        chunks = list(decoder.tiled_decode(latent, tiling, generator=gen))
    video = torch.cat(chunks, dim=2)
    print(f"tiled decode: {len(chunks)} temporal chunk(s) -> video {tuple(video.shape)}")

    meta = {
        "model": "diffvae_decoder.model.safetensors",
        "config": model_meta["config"],
        "model_version": "2.5.0",
        "kind": "ltx25.diffvae.decode_tiled",
        "latent_shape": json.dumps(shape),
        "latent": f"torch.randn(latent_shape, float32, generator=torch.Generator('cpu').manual_seed({a.latent_seed}))",
        "noise_seed": str(a.seed),
        "noise": "one torch.randn per tile of its stage-5 canvas (B, 3, F5, H5, W5), in tile order "
        "(time outermost, then rows, then columns), from torch.Generator('cpu').manual_seed(noise_seed)",
        "tiling": json.dumps({"frames": [tiling.frames.tile_size, tiling.frames.overlap],
                              "height": [tiling.height.tile_size, tiling.height.overlap],
                              "width": [tiling.width.tile_size, tiling.width.overlap]}),
        "mode": "DiffVAEMode.CHUNKED_EAGER resolved for a host without natten/Triton: ChunkedDiffusionNABlock, "
        "deferred stage-4 upsample, w_chunks=4, "
        + ("EagerSdpaAttention" if a.eager_na else "attention_function = gather_na3d (natten na3d windows, "
           "gen_diffvae_tiled.py) in place of EagerSdpaAttention"),
        "call": "torch.cat(list(DiffusionVideoDecoder.tiled_decode(latent, TileSizeConfig(...), generator)), dim=2)",
        "torch_version": torch.__version__,
        "reference": "Lightricks/LTX-2 @ 400fd31 (packages/ltx-core)",
    }
    write_safetensors(a.out, {"in.latent": latent, "out.video": video}, meta)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
