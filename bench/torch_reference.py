#!/usr/bin/env python3
"""PyTorch reference for Weft's training benchmarks, both model families, on the CPU or a CUDA GPU.

gpt2: pre-LayerNorm blocks, causal multi-head attention, tanh-GELU MLP, learned positions (as
../shared/bench/torch_gpt_reference.py). llama: RMSNorm, rotary embeddings (rotate-half), grouped-query
attention, SwiGLU MLP, no biases. Untied head, Adam, byte-level synthetic text. Prints one JSON line:
tokens/s (median step after warm-up), and peak memory (CUDA: torch.cuda.max_memory_allocated; CPU:
the process's peak RSS).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_reference.py --family llama --threads 2
  python3 bench/torch_reference.py --family gpt2 --device cuda --vocab 50257 --ctx 1024 --d 768 --layers 12 --heads 12 --batch 8
"""
import argparse, json, math, random, resource, statistics, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

ap = argparse.ArgumentParser()
for k, v in dict(vocab=256, ctx=128, d=128, layers=4, heads=4, kv_heads=2, ffn=0, batch=16, warmup=3, steps=10, seed=0, threads=2).items():
    ap.add_argument('--' + k.replace('_', '-'), dest=k, type=int, default=v)
ap.add_argument('--family', default='gpt2', choices=['gpt2', 'llama'])
ap.add_argument('--device', default='cpu')
ap.add_argument('--lr', type=float, default=1e-3)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
dev = torch.device(a.device)
V, T, D, L, H, B = a.vocab, a.ctx, a.d, a.layers, a.heads, a.batch
HD = D // H
KV = a.kv_heads if a.family == 'llama' else H
FFN = a.ffn or (4 * D if a.family == 'gpt2' else 256 * math.ceil(8 * D / 3 / 256) if D >= 256 else 32 * math.ceil(8 * D / 3 / 32))

rng = random.Random(a.seed)
words = 'the quick brown fox jumps over the lazy dog to be or not that is question all glitters gold'.split()
text = ' '.join(rng.choice(words) for _ in range(60000))
corpus = torch.tensor([b % V for b in text.encode('latin1')], dtype=torch.long)


def get_batch():
    off = torch.randint(0, len(corpus) - T - 1, (B,))
    x = torch.stack([corpus[o:o + T] for o in off])
    y = torch.stack([corpus[o + 1:o + T + 1] for o in off])
    return x.to(dev), y.to(dev)


class RMSNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(D))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), -1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        llama = a.family == 'llama'
        self.n1, self.n2 = (RMSNorm(), RMSNorm()) if llama else (nn.LayerNorm(D), nn.LayerNorm(D))
        self.q = nn.Linear(D, H * HD, bias=not llama)
        self.kv = nn.Linear(D, 2 * KV * HD, bias=not llama)
        self.o = nn.Linear(H * HD, D, bias=not llama)
        if llama:
            self.gate, self.up, self.down = nn.Linear(D, FFN, bias=False), nn.Linear(D, FFN, bias=False), nn.Linear(FFN, D, bias=False)
        else:
            self.fc1, self.fc2 = nn.Linear(D, FFN), nn.Linear(FFN, D)
        self.register_buffer('mask', torch.triu(torch.full((T, T), -1e9), 1))
        inv = 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD))
        ang = torch.outer(torch.arange(T).float(), inv)
        ang = torch.cat((ang, ang), -1)
        self.register_buffer('cos', ang.cos())
        self.register_buffer('sin', ang.sin())

    def attn(self, h):
        q = self.q(h).view(B, T, H, HD).transpose(1, 2)
        k, v = self.kv(h).view(B, T, 2, KV, HD).permute(2, 0, 3, 1, 4)
        if a.family == 'llama':
            q = q * self.cos + rotate_half(q) * self.sin
            k = k * self.cos + rotate_half(k) * self.sin
            k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(HD)) + self.mask
        y = att.softmax(-1) @ v
        return self.o(y.transpose(1, 2).reshape(B, T, H * HD))

    def mlp(self, h):
        if a.family == 'llama':
            return self.down(F.silu(self.gate(h)) * self.up(h))
        return self.fc2(F.gelu(self.fc1(h), approximate='tanh'))

    def forward(self, x):
        x = x + self.attn(self.n1(x))
        return x + self.mlp(self.n2(x))


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Parameter(torch.zeros(T, D)) if a.family == 'gpt2' else None
        self.blocks = nn.ModuleList([Block() for _ in range(L)])
        self.nf = RMSNorm() if a.family == 'llama' else nn.LayerNorm(D)
        self.head = nn.Linear(D, V, bias=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx, tgt):
        x = self.wte(idx) + (self.wpe if self.wpe is not None else 0)
        for b in self.blocks:
            x = b(x)
        return F.cross_entropy(self.head(self.nf(x)).view(-1, V), tgt.view(-1))


m = LM().to(dev)
opt = torch.optim.Adam(m.parameters(), lr=a.lr)
info = dict(framework='torch', torch=torch.__version__, device=str(dev), family=a.family, threads=torch.get_num_threads(),
            cfg=dict(V=V, T=T, D=D, L=L, H=H, KV=KV, FFN=FFN, B=B), nParams=sum(p.numel() for p in m.parameters()))
print(json.dumps(info), file=sys.stderr)


def sync():
    if dev.type == 'cuda':
        torch.cuda.synchronize()


def step():
    x, y = get_batch()
    loss = m(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()  # reads back: the step has finished


times, losses = [], []
for i in range(a.warmup + a.steps):
    sync()
    t0 = time.perf_counter()
    l = step()
    sync()
    ms = (time.perf_counter() - t0) * 1000
    losses.append(round(l, 4))
    if i >= a.warmup:
        times.append(ms)
med = statistics.median(times)
res = dict(info, stepMsMedian=round(med, 1), tokPerSec=round(B * T / (med / 1000), 1), losses=losses)
if dev.type == 'cuda':
    res['peakMemMB'] = round(torch.cuda.max_memory_allocated() / 1024 ** 2, 1)
    res['gpu'] = torch.cuda.get_device_name()
else:
    res['peakMemMB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(res))
