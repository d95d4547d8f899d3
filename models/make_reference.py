#!/usr/bin/python3
"""make_reference.py - PyTorch reference values for tests/test_rsrae_ref.c.

Run with the system Python that has torch (never at test time; the outputs
are committed):

    /usr/bin/python3 models/make_reference.py

Builds the RSRAE of models/rsrae.c in PyTorch for a few configurations, with
weights and a batch drawn from fixed seeds, and writes
tests/fixtures/rsrae_ref_<name>.txt, each holding the configuration, the
inputs and the expected outputs.

The model (see models/tg_rsrae.h):
    z      = encoder MLP (in -> enc_hidden... -> D), `act` after hidden
             layers, `embed_act` on z                               # [B, D]
    az     = z A^T, A [d, D]                                        # [B, d]
    latent = az / (||az||_row + 1e-12) with renorm, else az
    x^     = decoder MLP (d -> dec_hidden... -> in), `act`, `out_act` last
    recon_err = ||x - x^||_row,  residual = ||z - az A||_row        # [B]
    loss_recon = red(recon_err^p)
    loss_rsr   = lambda1 * red(residual)
    loss_ortho = lambda2 * red((A A^T - I)^2)   (over all d*d entries)
    loss       = loss_recon + loss_rsr + loss_ortho
    red = sum, or mean with mean_reduction
    cosine score = 1 - <x, x^> / (||x|| ||x^|| + 1e-12)

Gradient sets (models/rsrae.c, in parameter block order: encoder, A,
decoder): joint mode has one, `loss` on every parameter; alternating mode
has three: 0 = loss_recon on every parameter, 1 = loss_ortho on A,
2 = loss_rsr on the encoder and A.

Numerics: weights and the batch are drawn in float32 and written exactly
(%.9g round-trips a float32); the expected values are then computed in
float64 from those same float32 numbers, so they are the exact answer the C
float32 graph approximates. A starts orthogonal (nn.init.orthogonal_) and is
then perturbed by 0.05 N(0, 1): at an exactly orthogonal A the
orthogonality loss and its gradient are float32 rounding noise (~1e-7) and
a comparison would test nothing. The script refuses a draw where a
ReLU/LeakyReLU pre-activation lies within MARGIN of its kink (a float32
rounding difference could flip the branch there).

File format (whitespace separated; '#' starts a comment line):

    config <key> <value>...         one line each: input_dim, enc_hidden
                                    (sizes, possibly none), dec_hidden,
                                    embed_dim, latent_dim, act, embed_act,
                                    out_act (names as tg_act_parse takes),
                                    renorm, p, lambda1, lambda2,
                                    mean_reduction, mode (joint|alternating),
                                    score (l2|cosine), batch
    <name> <count>                  a record: count numbers follow
    v0 v1 ... v{count-1}

Records: `param.<tensor>` (parameter values, row-major, PyTorch nn.Linear
layout [out, in]), `x` [B, in], `loss_recon`, `loss_rsr`, `loss_ortho`,
`loss` (1 each), `recon_err`, `residual`, `score_l2`, `score_cosine` [B],
and `grad<s>.<tensor>` for every parameter of gradient set s.
"""
import os

import torch

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")
MARGIN = 1e-3

SHAPES = dict(input_dim=20, enc_hidden=[10, 6], dec_hidden=[8, 10], embed_dim=8, latent_dim=3,
              batch=5)

CONFIGS = [
    # models/rsrae.c tg_rsrae_defaults' choices
    dict(name="reference", seed=11, act="leaky_relu", embed_act="none", out_act="sigmoid",
         renorm=0, p=1.0, lambda1=1.0, lambda2=1.0, mean_reduction=0, mode="joint", score="l2"),
    # the paper's setting, trained alternately
    dict(name="paper", seed=22, act="tanh", embed_act="tanh", out_act="tanh",
         renorm=1, p=1.0, lambda1=0.1, lambda2=0.2, mean_reduction=1, mode="alternating",
         score="cosine"),
    # squared reconstruction error through ReLUs, linear output
    dict(name="p2_relu", seed=34, act="relu", embed_act="none", out_act="none",
         renorm=0, p=2.0, lambda1=0.5, lambda2=2.0, mean_reduction=0, mode="joint",
         score="cosine"),
]


def fmt(x):
    return "%.9g" % x


def activation(name, h, preacts):
    if name in ("relu", "leaky_relu"):
        preacts.append(h)
    if name == "leaky_relu":
        return torch.nn.functional.leaky_relu(h, 0.01)
    if name == "relu":
        return torch.relu(h)
    if name == "tanh":
        return torch.tanh(h)
    if name == "sigmoid":
        return torch.sigmoid(h)
    assert name == "none", name
    return h


def make_params(cfg):
    """Float32 parameters in block order: [(name, tensor)]."""
    torch.manual_seed(cfg["seed"])
    enc = [SHAPES["input_dim"]] + SHAPES["enc_hidden"] + [SHAPES["embed_dim"]]
    dec = [SHAPES["latent_dim"]] + SHAPES["dec_hidden"] + [SHAPES["input_dim"]]
    params = []

    def linears(prefix, sizes):
        for l in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[l], sizes[l + 1])  # PyTorch's default init
            params.append(("%s.%d.weight" % (prefix, l), lin.weight.detach().clone()))
            params.append(("%s.%d.bias" % (prefix, l), lin.bias.detach().clone()))

    linears("encoder", enc)
    A = torch.empty(SHAPES["latent_dim"], SHAPES["embed_dim"])
    torch.nn.init.orthogonal_(A)
    A += 0.05 * torch.randn(A.shape)
    params.append(("A", A))
    linears("decoder", dec)
    x = torch.randn(SHAPES["batch"], SHAPES["input_dim"])
    return params, x


def forward(cfg, P, x):
    """Everything in float64; P maps names to leaf tensors."""
    preacts = []

    def mlp(prefix, h, n, last_act):
        for l in range(n):
            h = h @ P["%s.%d.weight" % (prefix, l)].t() + P["%s.%d.bias" % (prefix, l)]
            h = activation(cfg["act"] if l + 1 < n else last_act, h, preacts)
        return h

    n_enc = len(SHAPES["enc_hidden"]) + 1
    n_dec = len(SHAPES["dec_hidden"]) + 1
    z = mlp("encoder", x, n_enc, cfg["embed_act"])              # [B, D]
    A = P["A"]                                                  # [d, D]
    az = z @ A.t()                                              # [B, d]
    latent = az / (az.norm(dim=1, keepdim=True) + 1e-12) if cfg["renorm"] else az
    recon = mlp("decoder", latent, n_dec, cfg["out_act"])      # [B, in]
    recon_err = (x - recon).norm(dim=1)                         # [B]
    residual = (z - az @ A).norm(dim=1)                         # [B]
    red = torch.mean if cfg["mean_reduction"] else torch.sum
    eye = torch.eye(A.shape[0], dtype=A.dtype)
    out = dict(
        recon_err=recon_err,
        residual=residual,
        loss_recon=red(recon_err ** cfg["p"]),
        loss_rsr=cfg["lambda1"] * red(residual),
        loss_ortho=cfg["lambda2"] * red((A @ A.t() - eye) ** 2),
        score_cosine=1 - (x * recon).sum(dim=1) / (x.norm(dim=1) * recon.norm(dim=1) + 1e-12),
    )
    out["loss"] = out["loss_recon"] + out["loss_rsr"] + out["loss_ortho"]
    out["score_l2"] = recon_err
    margin = min(h.abs().min().item() for h in preacts) if preacts else float("inf")
    return out, margin


def gradient_sets(cfg, names):
    """[(loss name, parameter names)] as models/rsrae.c builds them."""
    if cfg["mode"] == "joint":
        return [("loss", names)]
    encoder = [n for n in names if n.startswith("encoder.")]
    return [("loss_recon", names), ("loss_ortho", ["A"]), ("loss_rsr", encoder + ["A"])]


def write_fixture(cfg):
    params, x32 = make_params(cfg)
    names = [n for n, _ in params]
    P = {n: t.double().requires_grad_(True) for n, t in params}
    x = x32.double()
    out, margin = forward(cfg, P, x)
    if margin < MARGIN:
        raise SystemExit("%s: a pre-activation is %.3g from the ReLU kink; change the seed"
                         % (cfg["name"], margin))

    lines = ["# RSRAE reference '%s' for tests/test_rsrae_ref.c" % cfg["name"],
             "# generated by models/make_reference.py (torch %s); format: see the script"
             % torch.__version__]

    def config(key, *vals):
        lines.append(" ".join(["config", key] + [str(v) for v in vals]))

    for key in ("input_dim",):
        config(key, SHAPES[key])
    config("enc_hidden", *SHAPES["enc_hidden"])
    config("dec_hidden", *SHAPES["dec_hidden"])
    for key in ("embed_dim", "latent_dim"):
        config(key, SHAPES[key])
    for key in ("act", "embed_act", "out_act", "renorm"):
        config(key, cfg[key])
    for key in ("p", "lambda1", "lambda2"):
        config(key, fmt(cfg[key]))
    for key in ("mean_reduction", "mode", "score"):
        config(key, cfg[key])
    config("batch", SHAPES["batch"])

    def record(name, t):
        vals = t.detach().reshape(-1).tolist()
        lines.append("%s %d" % (name, len(vals)))
        lines.append(" ".join(fmt(v) for v in vals))

    for n, t in params:
        record("param." + n, t)
    record("x", x32)
    for key in ("loss_recon", "loss_rsr", "loss_ortho", "loss", "recon_err", "residual",
                "score_l2", "score_cosine"):
        record(key, out[key])
    for s, (loss, pnames) in enumerate(gradient_sets(cfg, names)):
        grads = torch.autograd.grad(out[loss], [P[n] for n in pnames], retain_graph=True)
        lines.append("# gradient set %d: %s" % (s, loss))
        for n, g in zip(pnames, grads):
            record("grad%d.%s" % (s, n), g)

    path = os.path.join(OUT, "rsrae_ref_%s.txt" % cfg["name"])
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)
    print("wrote %s (ReLU margin %.3g, loss %.6g)" % (os.path.relpath(path), margin,
                                                       out["loss"].item()))


def main():
    os.makedirs(OUT, exist_ok=True)
    for cfg in CONFIGS:
        write_fixture(cfg)


if __name__ == "__main__":
    main()
