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

import copy
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import XbarError, check_cancel
from ..layers import ArraySpec, ConvLayer
from ..methods import plan_for, register, shape_key
from ..plan import Plan
from .build import layer_weights, tiles_of
from .model import Compression, attach, shared_plan

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
    out_removed = np.unique(np.asarray(out_removed, dtype=np.int64)) if len(out_removed) else _NONE
    n_oc = g.out_c - out_removed.size
    before = search(_narrowed(g, out_c=n_oc), array) if out_removed.size else base
    res, why = _residual(g, before, o)
    if weights is None or not res:
        removed, rule = np.arange(g.in_c - res, g.in_c), ("last channels (no weights known)" if res else "")
    else:
        removed, rule = _choose(g.in_c, res, weights)
    pruned = search(_narrowed(g, in_c=g.in_c - res, out_c=n_oc), array)
    notes = []
    if out_removed.size:
        notes.append(f"{out_removed.size} output channels removed: layer '{consumer}' no longer reads them "
                     "(the layer list taken as a chain)")
    if why:
        notes.append(why)
    note = "; ".join(notes)
    params = (("max_prune", o.max_prune), ("propagate", o.propagate))
    oc_keep = np.setdiff1d(np.arange(g.out_c), out_removed) if out_removed.size else None
    # The masks follow from the channels removed and the pruned PW alone: built and checked once
    # per such geometry (a long list repeats them), unless weights chose the channels.
    key = None if weights is not None and res else (
        "vwc-sdk", g.in_c, g.out_c if out_removed.size else 0, res, out_removed.tobytes(), pruned.nh, pruned.nw, pruned.ict, pruned.row_split,
        layer.k_h, layer.k_w, layer.stride_h, layer.stride_w, array.rows, rule, note, params)

    def make() -> Plan:
        row_keep = np.ones((g.in_c, pruned.pix_h, pruned.pix_w), dtype=bool)
        row_keep[removed] = False
        weight_keep = np.ones((1, g.in_c, layer.k_h, layer.k_w), dtype=bool)
        weight_keep[:, removed] = False
        comp = Compression("vwc-sdk", base, row_keep, weight_keep, tiles_of(pruned), oc_keep=oc_keep, rule=rule,
                           note=note, params=params)
        return attach(replace(pruned, method="vwc-sdk", layer=layer), comp)

    return shared_plan(key, pruned, layer, base, make)


_NONE = np.zeros(0, dtype=np.int64)
_NONE.flags.writeable = False


def _residual(g: ConvLayer, before: Plan, o: VwcOptions) -> tuple[int, str]:
    """(channels to prune, why none are) of the per-group layer `g` whose VW-SDK plan is `before`."""
    if before.row_split != "channel":
        return 0, "VW-SDK maps this layer as im2col (flat row tiles): no residual channel tile"
    res = g.in_c % before.ict
    if res == 0:
        return 0, "no residual channels: the row tiles are already full"
    if res > int(o.max_prune * g.in_c + 1e-9):
        return 0, f"the {res} residual channels are more than max_prune {o.max_prune} of {g.in_c}"
    return res, ""


def _narrowed(g: ConvLayer, **channels) -> ConvLayer:
    """The per-group layer `g` with fewer channels (still a valid layer: no re-validation)."""
    if all(getattr(g, k) == v for k, v in channels.items()):
        return g
    new = copy.copy(g)
    for k, v in channels.items():
        object.__setattr__(new, k, v)
    return new


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


def prune_network(layers, array: ArraySpec, options: VwcOptions | None = None, *, should_stop=None,
                  progress=None) -> list[Plan]:
    """VWC-SDK plans of a layer list, pruning propagated backwards along the chain links.

    Layers are visited last to first, so a layer knows which of its outputs the next one
    dropped before it searches its own PW. The VW-SDK searches are run up front in one
    vectorized pass (each layer as given and with its residual channels pruned); layers of
    one shape, dropping the same outputs for the same consumer, share one plan.
    `should_stop()` is checked, and `progress(done, total, text)` called, every
    `_STEP` layers (engine.batch's conventions); `Cancelled` is raised."""
    o = options or VwcOptions()
    layers = list(layers)
    n = len(layers)
    links = chain_links(layers, o.propagate)
    search = _prefetched(layers, array, o, should_stop)
    plans: list = [None] * n
    memo: dict = {}
    for step, i in enumerate(reversed(range(n))):
        if step % _STEP == 0:
            if progress:
                progress(step, n, f"layer {step + 1} of {n} (vwc-sdk)")
            check_cancel(should_stop)
        layer = layers[i]
        nxt = i + 1 < n and links[i + 1]
        out_removed = plans[i + 1].compression.channels_removed if nxt else _NONE
        consumer = layers[i + 1].name if nxt else ""
        w = layer_weights(o.weights, layer)
        key = (shape_key(layer), out_removed.tobytes(), consumer) if w is None else None
        seen = memo.get(key) if key is not None else None
        if seen is not None:
            plans[i] = plan_for(seen, layer)
            continue
        plans[i] = vwc_layer(layer, array, o, w, out_removed, consumer, search=search)
        if key is not None:
            memo[key] = plans[i]
    check_cancel(should_stop)
    return plans


_STEP = 256  # layers between cancel checks of prune_network


def _prefetched(layers, array: ArraySpec, o: VwcOptions, should_stop=None):
    """A VW-SDK `search(layer, array)` for `vwc_layer` whose answers for every layer, as given and
    with its residual channels pruned (no outputs dropped), come from one vectorized search
    (engine.methods.vw_sdk.search_many, in slices between cancel checks); others it runs itself."""
    from ..methods.vw_sdk import _plan, geometry, search_many, vw_sdk

    rows, cl = array.rows, array.logical_cols
    table: dict = {}

    def fill(geoms):
        todo = list(dict.fromkeys(gm for gm in geoms if gm not in table))
        for s in range(0, len(todo), _SEARCH_SLICE):
            check_cancel(should_stop)
            part = todo[s:s + _SEARCH_SLICE]
            table.update(zip(part, search_many(part, rows, cl)))

    groups = [layer.per_group() for layer in layers]
    fill([geometry(g) for g in groups])
    bases = [_plan(g, array, table[geometry(g)]) for g in groups]
    pruned = []
    for g, b in zip(groups, bases):
        res = _residual(g, b, o)[0]
        if res:
            pruned.append(geometry(_narrowed(g, in_c=g.in_c - res)))
    fill(pruned)

    def search(layer: ConvLayer, arr: ArraySpec) -> Plan:
        best = table.get(geometry(layer), table) if arr == array else table
        return vw_sdk(layer, arr) if best is table else _plan(layer, arr, best)

    return search


_SEARCH_SLICE = 1024  # geometries per vectorized search between cancel checks


@register("vwc-sdk", "VW-SDK with the residual input channels pruned so row tiles come out full "
          "(on a network: also the producer's output channels)", batch=prune_network, options=VwcOptions)
def vwc_sdk(layer: ConvLayer, array: ArraySpec, options: VwcOptions | None = None) -> Plan:
    o = options or VwcOptions()
    return vwc_layer(layer, array, o, layer_weights(o.weights, layer))
