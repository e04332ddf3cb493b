#!/usr/bin/python3
"""Rebuild gradc graphs (JSON, one per line on stdin; see test/support/graph-json.ts) in PyTorch
float64 and print, one JSON line per graph: every output's value, the gradient of the scalar loss
with respect to each `wrt` leaf, and the Hessian-vector product d<grad loss, v>/dx.

Each op-table primitive maps to the PyTorch op a PyTorch user would write for it (OPS below).
Only a dev tool: gradc never needs torch. Run through scripts/torch-diff/run.ts."""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

DT = {"f32": torch.float64, "i32": torch.int32, "bool": torch.bool}


def num(v):
    return float(v["$num"]) if isinstance(v, dict) else v


def attr(a, k):
    v = a[k]
    return [num(x) for x in v] if isinstance(v, list) else num(v)


def axes_or_none(a):
    axes = [int(x) for x in attr(a, "axes")]
    return axes if axes else None


def sum_(x, a, n):
    axes = axes_or_none(a)
    if axes is None:
        return x  # no axis reduced: torch.sum(x, []) would sum everything
    return torch.sum(x, dim=axes, dtype=x.dtype)


def amax(x, a, n):
    axes = axes_or_none(a)
    # amax, not max(dim): its gradient is shared evenly among tied maxima, like gradc's.
    return x if axes is None else torch.amax(x, dim=axes)


def cumsum(x, a, n):
    ax = int(attr(a, "axis"))
    if a["reverse"]:
        return torch.flip(torch.cumsum(torch.flip(x, [ax]), ax, dtype=x.dtype), [ax])
    return torch.cumsum(x, ax, dtype=x.dtype)


def slice_(x, a, n):
    starts, stops, steps = (attr(a, k) for k in ("starts", "stops", "steps"))
    return x[tuple(slice(int(s), int(e), int(t)) for s, e, t in zip(starts, stops, steps))]


def pad(x, a, n):
    # lo/hi edge padding plus `interior` fill between elements (XLA's pad): the input lands on a
    # strided slice of a tensor filled with the pad value.
    out = torch.full(n["shape"], attr(a, "value"), dtype=x.dtype)
    lo, interior = attr(a, "lo"), attr(a, "interior")
    where = tuple(
        slice(int(l), int(l) + (d - 1) * (int(i) + 1) + 1, int(i) + 1)
        for l, i, d in zip(lo, interior, x.shape)
    )
    out[where] = x
    return out


def gather(x, idx, a, n):
    ax = int(attr(a, "axis"))
    picked = torch.index_select(x, ax, idx.reshape(-1).long())
    return picked.reshape(n["shape"])


def scatter_add(u, idx, a, n):
    ax = int(attr(a, "axis"))
    m = idx.numel()
    rows = u.reshape(list(u.shape[:ax]) + [m] + list(u.shape[ax + idx.dim():]))
    out = torch.zeros(n["shape"], dtype=u.dtype)
    return out.index_add(ax, idx.reshape(-1).long(), rows)


def iota(a, n):
    shape, ax = n["shape"], int(attr(a, "axis"))
    view = [1] * len(shape)
    view[ax] = shape[ax]
    return torch.arange(shape[ax]).reshape(view).expand(shape).to(DT[n["dtype"]])


def cast(x, a, n):
    to = a["dtype"]
    if to == "bool":
        return x != 0
    if to == "i32" and x.dtype == torch.float64:
        return torch.trunc(x).to(torch.int32)
    return x.to(DT[to])


def custom_vjp(ins, a, n):
    # The composite's PyTorch meaning, not gradc's expansion (input 0): the gradients then come
    # from torch's own rules, an independent check of the hand-derived VJP.
    x = ins[1]
    rule, args = a["rule"], attr(a, "args")
    if rule == "logsumexp":
        return torch.logsumexp(x, dim=[int(v) for v in args])
    if rule == "normalize":
        return F.layer_norm(x, [x.shape[-1]], eps=args[0])
    if rule == "softmax_ce":
        return torch.logsumexp(x, dim=-1) - (ins[2] * x).sum(-1)
    raise ValueError(f"unknown custom rule {rule}")


def pow_(a, b):
    # torch's double backward of pow masks b = 0 to a zero mixed partial (truly a^(b-1)); with
    # POW_VIA_EXP=1 a positive base goes through exp(b log a), whose derivatives are exact.
    if os.environ.get("POW_VIA_EXP") == "1" and bool((a > 0).all()):
        return torch.exp(b * torch.log(a))
    return torch.pow(a, b)


UNARY = {
    "neg": torch.neg,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "reciprocal": torch.reciprocal,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "abs": torch.abs,
    "sign": torch.sign,
    "log1p": torch.log1p,
    "expm1": torch.expm1,
    "softplus": F.softplus,
    "erf": torch.erf,
    "tan": torch.tan,
    "asin": torch.asin,
    "acos": torch.acos,
    "atan": torch.atan,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "asinh": torch.asinh,
    "atanh": torch.atanh,
    "floor": torch.floor,
    "ceil": torch.ceil,
    "round": torch.round,
    "trunc": torch.trunc,
}
BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "pow": pow_,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "eq": torch.eq,
    "ne": torch.ne,
    "lt": torch.lt,
    "le": torch.le,
    "gt": torch.gt,
    "ge": torch.ge,
}
ONE = {
    "sum": sum_,
    "max": amax,
    "cumsum": cumsum,
    "reshape": lambda x, a, n: x.reshape(n["shape"]),
    "permute": lambda x, a, n: x.permute([int(p) for p in attr(a, "perm")]),
    "broadcast": lambda x, a, n: x.expand(n["shape"]),
    "slice": slice_,
    "pad": pad,
    "cast": cast,
    "stop_gradient": lambda x, a, n: x.detach(),
}


def build(n, ins, leaves):
    op, a = n["op"], n["attrs"]
    if op in ("input", "param"):
        return leaves[a["name"]]
    if op == "constant":
        return torch.full(n["shape"], attr(a, "value"), dtype=DT[n["dtype"]])
    if op == "tensor":
        return torch.tensor(attr(a, "values"), dtype=torch.float64).reshape(n["shape"])
    if op == "random":
        return torch.tensor(n["values"], dtype=torch.float64).reshape(n["shape"])
    if op == "iota":
        return iota(a, n)
    if op in UNARY:
        return UNARY[op](ins[0])
    if op in BINARY:
        return BINARY[op](ins[0], ins[1])
    if op in ONE:
        return ONE[op](ins[0], a, n)
    if op == "where":
        return torch.where(ins[0], ins[1], ins[2])
    if op == "concat":
        return torch.cat(ins, int(attr(a, "axis")))
    if op == "matmul":
        return torch.matmul(ins[0], ins[1])
    if op == "gather":
        return gather(ins[0], ins[1], a, n)
    if op == "scatter_add":
        return scatter_add(ins[0], ins[1], a, n)
    if op == "custom_vjp":
        return custom_vjp(ins, a, n)
    raise ValueError(f"no PyTorch translation for op {op}")


def leaves_of(j):
    out = {}
    wrt = set(j["wrt"])
    for i, n in enumerate(j["nodes"]):
        if n["op"] not in ("input", "param"):
            continue
        name = n["attrs"]["name"]
        vals = [num(v) for v in (j["feeds"] if n["op"] == "input" else j["params"])[name]]
        t = torch.tensor(vals, dtype=DT[n["dtype"]]).reshape(n["shape"])
        out[name] = t.requires_grad_(True) if i in wrt else t
    return out


def flat(t):
    if t._is_zerotensor():  # double backward's lazy zeros have no storage to read
        t = torch.zeros(t.shape, dtype=t.dtype)
    return [v if math.isfinite(v) else {"$num": str(v).replace("inf", "Infinity").replace("nan", "NaN")}
            for v in t.detach().reshape(-1).double().tolist()]


def evaluate(j):
    leaves = leaves_of(j)
    vals = []
    for n in j["nodes"]:
        vals.append(build(n, [vals[i] for i in n["ins"]], leaves))
    xs = [vals[i] for i in j["wrt"]]
    loss = vals[j["loss"]]
    zeros = [torch.zeros_like(x) for x in xs]
    grads = list(zeros)
    hvp = list(zeros)
    if xs and loss.requires_grad:
        gs = torch.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
        grads = [g if g is not None else z for g, z in zip(gs, zeros)]
        dot = sum((g * torch.tensor(v, dtype=torch.float64).reshape(g.shape)).sum()
                  for g, v in zip(grads, j["hvpV"]))
        if isinstance(dot, torch.Tensor) and dot.requires_grad:
            hs = torch.autograd.grad(dot, xs, allow_unused=True)
            hvp = [h if h is not None else z for h, z in zip(hs, zeros)]
    return {
        "name": j["name"],
        "outputs": {k: flat(vals[i]) for k, i in j["outputs"].items()},
        "grads": [flat(g) for g in grads],
        "hvp": [flat(h) for h in hvp],
    }


def main():
    torch.set_grad_enabled(True)
    for line in sys.stdin:
        if not line.strip():
            continue
        j = json.loads(line)
        try:
            res = evaluate(j)
        except Exception as e:  # one untranslatable graph must not stop the run
            res = {"name": j["name"], "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(res, allow_nan=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
