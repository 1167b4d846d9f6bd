"""Stand-ins that let the 400fd31 reference import and run the DiffVAE decoder on Debian's
torch 1.13 (no pip): the few torch >= 2.4 names it touches and einops.rearrange for the plain
axis regroupings it uses. Installed before the reference is imported (install())."""

import re
import sys
import types

import torch
import torch.nn.functional as F
from torch import nn


def _rms_norm(x, normalized_shape, weight=None, eps=None):
    dims = tuple(range(-len(normalized_shape), 0))
    if eps is None:
        eps = torch.finfo(x.dtype).eps
    y = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
    return y * weight if weight is not None else y


class _RMSNorm(nn.Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape, device=device, dtype=dtype)) if elementwise_affine else None

    def forward(self, x):
        return _rms_norm(x, self.normalized_shape, self.weight, self.eps)


def _sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    if scale is None:
        scale = q.shape[-1] ** -0.5
    scores = (q @ k.transpose(-2, -1)) * scale
    if attn_mask is not None:
        scores = scores + attn_mask if attn_mask.dtype != torch.bool else scores.masked_fill(~attn_mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def _custom_op(name, fn=None, *, mutates_args=(), device_types=None, schema=None):
    def wrap(f):
        f.register_fake = lambda g: g
        f.register_kernel = lambda *a, **k: (lambda g: g)
        f.register_autograd = lambda *a, **k: None
        return f

    return wrap if fn is None else wrap(fn)


def _parse_side(side):
    groups = []
    for m in re.finditer(r"\(([^)]*)\)|(\S+)", side):
        groups.append(m.group(1).split() if m.group(1) is not None else [m.group(2)])
    return groups


def _rearrange(x, pattern, **sizes):
    lhs, rhs = (s.strip() for s in pattern.split("->"))
    left, right = _parse_side(lhs), _parse_side(rhs)
    if len(left) != x.dim():
        raise ValueError(f"rearrange {pattern!r}: rank {x.dim()}")
    known = dict(sizes)
    for group, size in zip(left, x.shape):
        unknown = [n for n in group if n not in known]
        prod = 1
        for n in group:
            if n in known:
                prod *= known[n]
        if len(unknown) == 1:
            known[unknown[0]] = size // prod
    flat_names = [n for g in left for n in g]
    y = x.reshape([known[n] for n in flat_names])
    out_names = [n for g in right for n in g]
    y = y.permute([flat_names.index(n) for n in out_names])
    shape = []
    for g in right:
        p = 1
        for n in g:
            p *= known[n]
        shape.append(p)
    return y.reshape(shape)


def install():
    if not hasattr(F, "rms_norm"):
        F.rms_norm = _rms_norm
    if not hasattr(F, "scaled_dot_product_attention"):
        F.scaled_dot_product_attention = _sdpa
    if not hasattr(nn, "RMSNorm"):
        nn.RMSNorm = _RMSNorm
    if not hasattr(torch, "compiler"):
        torch.compiler = types.SimpleNamespace(disable=lambda f=None, **k: f if f is not None else (lambda g: g),
                                               nested_compile_region=lambda f=None, **k: f if f is not None else (lambda g: g),
                                               is_compiling=lambda: False)
    if not hasattr(torch.library, "custom_op"):
        torch.library.custom_op = _custom_op
    for name in ("safetensors", "safetensors.torch"):  # imported by the loaders, not used here
        if name not in sys.modules:
            try:
                __import__(name)
            except ImportError:
                sys.modules[name] = types.ModuleType(name)
    if "torch.nn.attention" not in sys.modules:  # imported by the transformer, unused by the VAE
        import contextlib
        import enum

        attention = types.ModuleType("torch.nn.attention")
        attention.SDPBackend = enum.Enum("SDPBackend", "ERROR MATH FLASH_ATTENTION EFFICIENT_ATTENTION CUDNN_ATTENTION")
        attention.sdpa_kernel = lambda *a, **k: contextlib.nullcontext()
        sys.modules["torch.nn.attention"] = attention
        torch.nn.attention = attention
    if "einops" not in sys.modules:
        einops = types.ModuleType("einops")
        einops.rearrange = _rearrange
        sys.modules["einops"] = einops
