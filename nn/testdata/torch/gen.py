"""Writes the PyTorch fixtures that package nn's tests compare against.

Rerun it from the repository root, with Debian's PyTorch
(apt-get install python3-torch):

    /usr/bin/python3 nn/testdata/torch/gen.py            # every kind
    /usr/bin/python3 nn/testdata/torch/gen.py schedules  # one kind

Each kind of fixture is one function in KINDS that returns a JSON-able
dict; it is written to <kind>.json beside this script, with the version
of PyTorch that made it. To add a kind (optimizer steps, say), write its
function and list it in KINDS.

Floats go through json, which writes repr(): the shortest decimal that
reads back as the same float64, so the Go side sees PyTorch's values
bit for bit.
"""

import json
import os
import sys
import warnings

import torch


def build_scheduler(optimizer, spec):
    """Returns the torch.optim.lr_scheduler that spec describes.

    spec is {"type": <the class's name>, <its arguments>...}; the Go test
    reads the same spec to build its schedule.
    """
    lrs = torch.optim.lr_scheduler
    kind = spec["type"]
    if kind == "StepLR":
        return lrs.StepLR(optimizer, step_size=spec["step_size"], gamma=spec["gamma"])
    if kind == "MultiStepLR":
        return lrs.MultiStepLR(optimizer, milestones=spec["milestones"], gamma=spec["gamma"])
    if kind == "CosineAnnealingLR":
        return lrs.CosineAnnealingLR(optimizer, T_max=spec["T_max"], eta_min=spec["eta_min"])
    if kind == "LinearLR":
        return lrs.LinearLR(optimizer, start_factor=spec["start_factor"],
                            end_factor=spec["end_factor"], total_iters=spec["total_iters"])
    if kind == "SequentialLR":
        return lrs.SequentialLR(optimizer,
                                schedulers=[build_scheduler(optimizer, s) for s in spec["schedulers"]],
                                milestones=spec["milestones"])
    raise ValueError("unknown scheduler " + kind)


def run_schedule(lr, spec, per, epochs, steps_per_epoch):
    """Returns the learning rate the optimizer holds at each of its steps.

    The loop is the one PyTorch's documentation gives: optimizer.step(),
    then scheduler.step() after every step (per == "step") or after
    every epoch (per == "epoch").
    """
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = build_scheduler(optimizer, spec)
    seen = []
    for _ in range(epochs):
        for _ in range(steps_per_epoch):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if per == "step":
                scheduler.step()
        if per == "epoch":
            scheduler.step()
    return seen


def linear(start, end, total):
    return {"type": "LinearLR", "start_factor": start, "end_factor": end, "total_iters": total}


def cosine(t_max, eta_min):
    return {"type": "CosineAnnealingLR", "T_max": t_max, "eta_min": eta_min}


def schedules():
    """Learning rates per optimizer step of a few schedules.

    The lengths run past each schedule's end (T_max, total_iters, the
    last milestone) to pin down what PyTorch does there.
    """
    cases = [
        # name, base lr, schedule, per, epochs, steps per epoch
        ("StepLR", 0.05, {"type": "StepLR", "step_size": 3, "gamma": 0.1}, "step", 5, 4),
        ("MultiStepLR", 0.1, {"type": "MultiStepLR", "milestones": [2, 5, 9], "gamma": 0.3}, "step", 4, 3),
        ("CosineAnnealingLR past T_max", 0.1, cosine(10, 0.001), "step", 7, 5),
        ("CosineAnnealingLR to 0", 0.01, cosine(7, 0.0), "step", 4, 4),
        ("LinearLR warm-up", 0.1, linear(0.25, 1.0, 8), "step", 3, 4),
        ("LinearLR decay", 3e-4, linear(1.0, 0.1, 10), "step", 2, 7),
        ("warm-up then cosine", 0.1, {"type": "SequentialLR", "milestones": [5],
                                      "schedulers": [linear(0.1, 1.0, 5), cosine(15, 1e-4)]}, "step", 5, 5),
        ("three phases", 0.02, {"type": "SequentialLR", "milestones": [3, 8],
                                "schedulers": [linear(0.5, 1.0, 3),
                                               {"type": "StepLR", "step_size": 2, "gamma": 0.7},
                                               cosine(6, 0.002)]}, "step", 4, 5),
        ("warm-up then cosine per epoch", 0.5, {"type": "SequentialLR", "milestones": [3],
                                                "schedulers": [linear(0.2, 1.0, 3), cosine(6, 0.0)]}, "epoch", 10, 3),
    ]
    out = []
    for name, lr, spec, per, epochs, steps_per_epoch in cases:
        out.append({"name": name, "lr": lr, "schedule": spec, "per": per, "epochs": epochs,
                    "steps_per_epoch": steps_per_epoch,
                    "lrs": run_schedule(lr, spec, per, epochs, steps_per_epoch)})
    return {"schedules": out}


def dropout():
    """The scale PyTorch's dropout gives the elements it keeps.

    F.dropout multiplies the input by a mask of 0 and 1/(1-p), computed
    in float32; the largest output on an input of ones is that scale.
    """
    cases = []
    torch.manual_seed(0)
    for p in [0.05, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]:
        y = torch.nn.functional.dropout(torch.ones(4096), p=p, training=True)
        kept = y[y != 0]
        assert bool((kept == kept[0]).all())
        cases.append({"p": p, "scale": kept[0].item()})
    return {"dropout": cases}


def clip():
    """Gradients before and after clip_grad_norm_ and clip_grad_value_.

    Three parameters' gradients, drawn from a seeded normal; the Go test
    sets its gradients to the same float32 values, clips them, and
    compares.
    """
    torch.manual_seed(1)
    shapes = [[4, 3], [4], [2, 4]]
    grads = [torch.randn(s) * 2 for s in shapes]
    cases = []
    for kind, limit in [("norm", 0.5), ("norm", 3.0), ("norm", 100.0), ("value", 0.3), ("value", 10.0)]:
        params = [torch.zeros(s, requires_grad=True) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        case = {"kind": kind, "limit": limit}
        if kind == "norm":
            case["norm"] = torch.nn.utils.clip_grad_norm_(params, max_norm=limit).item()
        else:
            torch.nn.utils.clip_grad_value_(params, clip_value=limit)
        case["clipped"] = [p.grad.flatten().tolist() for p in params]
        cases.append(case)
    return {"shapes": shapes, "grads": [g.flatten().tolist() for g in grads], "cases": cases}


def optim():
    """Three steps of each optimizer and option set on two parameters.

    The parameters start from a seeded normal, the gradients of each step
    too (scaled up step by step, so the moments move); after every step
    the fixture holds the parameters and the optimizer's state tensors,
    by their state_dict names, flattened.
    """
    configs = [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.1, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        ("Adam", {"lr": 0.01}),
        ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}),
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ]
    shapes = [[2, 3], [3]]
    torch.manual_seed(2)
    init = [torch.randn(s) for s in shapes]
    grads = [[torch.randn(s) * (1 + 2 * t) for s in shapes] for t in range(3)]
    cases = []
    for name, kwargs in configs:
        params = [x.clone().requires_grad_(True) for x in init]
        opt = getattr(torch.optim, name)(params, **kwargs)
        steps = []
        for g in grads:
            for p, gi in zip(params, g):
                p.grad = gi.clone()
            opt.step()
            state = {}
            for i, p in enumerate(params):
                for k, v in opt.state[p].items():
                    if v is None:
                        continue
                    if k == "step":
                        state["state.%d.step" % i] = float(v)
                    else:
                        state["state.%d.%s" % (i, k)] = v.flatten().tolist()
            steps.append({"params": [p.detach().flatten().tolist() for p in params], "state": state})
        options = dict(kwargs)
        if "betas" in options:
            options["betas"] = list(options["betas"])
        cases.append({"optimizer": name, "options": options, "steps": steps})
    return {"shapes": shapes, "init": [x.flatten().tolist() for x in init],
            "grads": [[x.flatten().tolist() for x in g] for g in grads], "cases": cases}


KINDS = {"schedules": schedules, "dropout": dropout, "clip": clip, "optim": optim}


def write(kind, fixture):
    fixture = {"torch": torch.__version__, **fixture}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), kind + ".json")
    with open(path, "w") as f:
        # One line per case keeps the file short and its diffs readable.
        f.write("{\n")
        items = list(fixture.items())
        for i, (key, value) in enumerate(items):
            if isinstance(value, list):
                body = ",\n  ".join(json.dumps(v) for v in value)
                f.write('"%s": [\n  %s\n]' % (key, body))
            else:
                f.write('"%s": %s' % (key, json.dumps(value)))
            f.write(",\n" if i < len(items) - 1 else "\n")
        f.write("}\n")


def main(names):
    # SequentialLR calls scheduler.step(0) at a milestone, which PyTorch
    # warns is deprecated; the values are what we want to record.
    warnings.filterwarnings("ignore", category=UserWarning, module="torch.optim.lr_scheduler")
    for name in names or KINDS:
        if name not in KINDS:
            sys.exit("gen.py: unknown kind %r; kinds: %s" % (name, ", ".join(KINDS)))
        write(name, KINDS[name]())


if __name__ == "__main__":
    main(sys.argv[1:])
