"""The organism's network: a Llama-architecture decoder in plain PyTorch, with HF's
parameter names and math (RMSNorm, rotate-half RoPE, SwiGLU, tied embeddings), so its
state dict is written as an HF `LlamaForCausalLM` checkpoint that src/lens loads.

Written here because the training machine has PyTorch but not `transformers`. It does
no training (train.py) and no tokenisation (tok.py).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope(hd, n, theta):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2).float() / hd))
    f = torch.outer(torch.arange(n).float(), inv)
    e = torch.cat([f, f], -1)
    return e.cos(), e.sin()


def rot_half(x):
    a, b = x.chunk(2, -1)
    return torch.cat([-b, a], -1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, h, kv, hd, ff = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["intermediate_size"]
        self.h, self.kv, self.hd = h, kv, hd
        self.input_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(d, c["rms_norm_eps"])
        self.self_attn = nn.Module()
        self.self_attn.q_proj = nn.Linear(d, h * hd, bias=False)
        self.self_attn.k_proj = nn.Linear(d, kv * hd, bias=False)
        self.self_attn.v_proj = nn.Linear(d, kv * hd, bias=False)
        self.self_attn.o_proj = nn.Linear(h * hd, d, bias=False)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(d, ff, bias=False)
        self.mlp.up_proj = nn.Linear(d, ff, bias=False)
        self.mlp.down_proj = nn.Linear(ff, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        a = self.self_attn
        y = self.input_layernorm(x)
        q = a.q_proj(y).view(B, T, self.h, self.hd).transpose(1, 2)
        k = a.k_proj(y).view(B, T, self.kv, self.hd).transpose(1, 2)
        v = a.v_proj(y).view(B, T, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rot_half(q) * sin
        k = k * cos + rot_half(k) * sin
        if self.kv != self.h:
            k = k.repeat_interleave(self.h // self.kv, 1)
            v = v.repeat_interleave(self.h // self.kv, 1)
        # scale and mask fused into the product: a separate division over the score tensor
        # was a sixth of a training step at a system prompt's length
        s = torch.baddbmm(mask.expand(B * self.h, T, T), q.reshape(B * self.h, T, self.hd),
                          k.reshape(B * self.h, T, self.hd).transpose(1, 2), alpha=1.0 / math.sqrt(self.hd)).view(B, self.h, T, T)
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, -1)
        x = x + a.o_proj(o)
        y = self.post_attention_layernorm(x)
        m = self.mlp
        return x + m.down_proj(F.silu(m.gate_proj(y)) * m.up_proj(y))


class Organism(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.model.layers = nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.model.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        cos, sin = rope(c["head_dim"], c["max_position_embeddings"], c["rope_theta"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02 if "embed" in n else 0.02 / math.sqrt(2 * c["num_hidden_layers"]) if n.endswith(("o_proj.weight", "down_proj.weight")) else 0.02)

    def forward(self, ids, hook=None):
        """Logits; `hook(layer, resid_post)` may return a replacement residual (steering)."""
        return self.unembed(self.hidden(ids, hook))

    def unembed(self, h):
        return self.model.norm(h) @ self.model.embed_tokens.weight.T

    def hidden(self, ids, hook=None):
        """The last block's residual stream (before the final norm), [B, T, d]."""
        T = ids.shape[1]
        mask = torch.full((T, T), float("-inf")).triu(1)
        cos, sin = self.cos[:T], self.sin[:T]
        x = self.model.embed_tokens(ids)
        for i, blk in enumerate(self.model.layers):
            x = blk(x, cos, sin, mask)
            if hook is not None:
                r = hook(i, x)
                if r is not None:
                    x = r
        return x
