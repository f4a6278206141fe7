"""VWC-SDK: VW-SDK with the residual input channels pruned so the row tiles come out full.

After the VW-SDK search a layer with `AR > 1` channel tiles whose last tile holds only
`IC mod ICt` channels loses those channels (`IC' = IC - IC mod ICt`, one row tile fewer)
when they are at most `max_prune` of its input channels; the search is then run again
on the pruned layer (it may pick another PW). Which channels go: the smallest L1 norms
(sum of |w| over all kernels reading the channel) when the weights are known, else the
last ones. Grouped layers prune channel c of every group (the groups share one layout).

On a network (`prune_network`), a channel a layer no longer reads is also an output
channel its producer need not compute: where the layer list is a chain the previous
layer drops those output channels (its columns) and is searched with them gone.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..methods import register
from ..plan import Plan
from .build import layer_weights, tiles_of
from .model import Compression, attach

PROPAGATE = ("auto", "always", "never")


@dataclass(frozen=True)
class VwcOptions:
    """max_prune: largest fraction of its input channels a layer may lose (0..1);
    propagate (networks): auto (only when the whole list is a plain chain: no grouped
    layer, every layer reads what the previous one writes) | always (wherever the channel
    counts match) | never; weights: an array or a lookup by layer name (L1 rule)."""

    max_prune: float = 0.25
    propagate: str = "auto"
    weights: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        m = self.max_prune
        if isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 <= m <= 1:
            raise XbarError(f"max_prune must be a fraction from 0 to 1, got {m!r}")
        if self.propagate not in PROPAGATE:
            raise XbarError(f"propagate must be one of {', '.join(PROPAGATE)}, got {self.propagate!r}")


def _vw_sdk(layer: ConvLayer, array: ArraySpec) -> Plan:
    from ..methods import get

    return get("vw-sdk")(layer, array)


def _choose(ic: int, r: int, weights) -> tuple[np.ndarray, str]:
    if weights is None:
        return np.arange(ic - r, ic), "last channels (no weights known)"
    l1 = np.abs(np.asarray(weights, dtype=np.float64)).sum(axis=(0, 2, 3))
    return np.sort(np.argsort(l1, kind="stable")[:r]), "smallest L1 norm (the layer's weights)"


def vwc_layer(layer: ConvLayer, array: ArraySpec, options: VwcOptions | None = None, weights=None,
              out_removed=(), consumer: str = "", search=None) -> Plan:
    """VWC-SDK for one layer; `out_removed`: output channels (within the group) the next
    layer (`consumer`) no longer reads, removed from this layer's columns. `search(layer,
    array) -> Plan` maps the layer before and after pruning (default: the VW-SDK search;
    a what-if passes one fixed PW)."""
    o = options or VwcOptions()
    search = search or _vw_sdk
    g = layer.per_group()
    base = search(layer, array)
    out_removed = np.unique(np.asarray(out_removed, dtype=np.int64))
    oc_keep = np.setdiff1d(np.arange(g.out_c), out_removed) if out_removed.size else None
    n_oc = g.out_c - out_removed.size
    before = search(replace(g, out_c=n_oc), array) if out_removed.size else base
    notes = []
    if out_removed.size:
        notes.append(f"{out_removed.size} output channels removed: layer '{consumer}' no longer reads them "
                     "(the layer list taken as a chain)")
    removed, rule = np.zeros(0, dtype=np.int64), ""
    res = g.in_c % before.ict if before.row_split == "channel" else 0
    if before.row_split != "channel":
        notes.append("VW-SDK maps this layer as im2col (flat row tiles): no residual channel tile")
    elif res == 0:
        notes.append("no residual channels: the row tiles are already full")
    elif res > int(o.max_prune * g.in_c + 1e-9):
        notes.append(f"the {res} residual channels are more than max_prune {o.max_prune} of {g.in_c}")
    else:
        removed, rule = _choose(g.in_c, res, weights)
    pruned = search(replace(g, in_c=g.in_c - removed.size, out_c=n_oc), array)
    plan = replace(pruned, method="vwc-sdk", layer=layer)
    row_keep = np.ones((g.in_c, plan.pix_h, plan.pix_w), dtype=bool)
    row_keep[removed] = False
    weight_keep = np.ones((1, g.in_c, layer.k_h, layer.k_w), dtype=bool)
    weight_keep[:, removed] = False
    comp = Compression("vwc-sdk", base, row_keep, weight_keep, tiles_of(pruned), oc_keep=oc_keep, rule=rule,
                       note="; ".join(notes), params=(("max_prune", o.max_prune), ("propagate", o.propagate)))
    return attach(plan, comp)


def chain_links(layers, mode: str = "auto") -> list[bool]:
    """links[i]: layer i-1's outputs are layer i's inputs, channel for channel (links[0] False).

    always: wherever the channel counts match and neither layer is grouped; auto: the same,
    but only when the whole list is a plain chain (no grouped layer, and every pair matches
    except a conv -> linear flatten), since a layer list does not show residual joins."""
    layers = list(layers)
    pairs = list(zip(layers, layers[1:]))
    match = [a.out_c == b.in_c and a.groups == 1 and b.groups == 1 for a, b in pairs]
    if mode == "never":
        match = [False] * len(pairs)
    elif mode == "auto":
        plain = all(x.groups == 1 for x in layers) and all(
            m or (a.kind == "conv" and b.kind == "linear") for m, (a, b) in zip(match, pairs))
        match = match if plain else [False] * len(pairs)
    return [False] + match


def prune_network(layers, array: ArraySpec, options: VwcOptions | None = None) -> list[Plan]:
    """VWC-SDK plans of a layer list, pruning propagated backwards along the chain links.

    Layers are visited last to first, so a layer knows which of its outputs the next one
    dropped before it searches its own PW."""
    o = options or VwcOptions()
    layers = list(layers)
    links = chain_links(layers, o.propagate)
    plans: list = [None] * len(layers)
    for i in reversed(range(len(layers))):
        nxt = i + 1 < len(layers) and links[i + 1]
        out_removed = plans[i + 1].compression.channels_removed if nxt else ()
        plans[i] = vwc_layer(layers[i], array, o, layer_weights(o.weights, layers[i]), out_removed,
                             layers[i + 1].name if nxt else "")
    return plans


@register("vwc-sdk", "VW-SDK with the residual input channels pruned so row tiles come out full "
          "(on a network: also the producer's output channels)", batch=prune_network, options=VwcOptions)
def vwc_sdk(layer: ConvLayer, array: ArraySpec, options: VwcOptions | None = None) -> Plan:
    o = options or VwcOptions()
    return vwc_layer(layer, array, o, layer_weights(o.weights, layer))
