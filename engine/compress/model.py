"""What a compressed plan carries (`Compression`) and the layout and figures that follow.

Geometry is the plan's: a PW of `Ph x Pw` pixels, `copies = nh*nw` kernel copies, `IC`
and `OC` the group's channels. The masks are read-only numpy bool arrays:

- `row_keep` (IC, Ph, Pw): the rows of the dense layout (one per channel and PW pixel)
  that the compressed array keeps;
- `weight_keep` (copies|1, IC|1, Kh, Kw): the weights each kernel copy keeps. A leading
  dimension of 1 broadcasts: PAIRS masks depend on the channel only, KERNTROL's on the
  copy only, so neither stores copies x channels;
- `extra` (copies|1, IC|1, Ph, Pw) or None: compensatory cells (KERNTROL-C), kept rows
  outside a copy's kernel footprint that hold an extra learned weight;
- `oc_keep` (OC',) or None: the output channels still computed (VWC-SDK: the ones the
  next layer still reads).

Kept rows are listed in the dense order (channel-major, PW pixel row-major) and cut into
row tiles of `tile_rows` rows: the array's `R` for a flat repack (`AR = ceil(kept / R)`),
`ICt*Ph*Pw` for whole-channel tiles (VWC-SDK). With every row kept and the base's tile
size the layout is exactly the base plan's.

`repacked=False` is the dense view of the same compression: the base layout's rows and
columns with `kept` flags, so a view can hatch skipped rows in place (`views.dense_plan`).
Its cycles are the base plan's, and it computes the same OFM (skipped rows hold no weight).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
import copy
from functools import cached_property, lru_cache

import numpy as np

from ..layers import ceil_div
from ..layout import ColVectors, RowVectors, dense_col_vectors, dense_row_vectors
from ..plan import Plan

KINDS = ("vwc-sdk", "pairs", "kerntrol")


def _frozen(a, dtype) -> np.ndarray:
    if isinstance(a, np.ndarray) and a.dtype == dtype and a.flags.owndata and not a.flags.writeable:
        return a  # already one of ours (a shared template's): no second copy
    a = np.array(a, dtype=dtype)  # a private copy: callers may reuse theirs
    a.flags.writeable = False
    return a


def footprints(plan: Plan) -> np.ndarray:
    """(copies, Ph, Pw) bool: the PW pixels each kernel copy's window covers."""
    L = plan.layer
    fy = np.arange(plan.pix_h)[None, :] - (np.arange(plan.nh) * L.stride_h)[:, None]
    fx = np.arange(plan.pix_w)[None, :] - (np.arange(plan.nw) * L.stride_w)[:, None]
    iy, ix = (fy >= 0) & (fy < L.k_h), (fx >= 0) & (fx < L.k_w)
    return (iy[:, None, :, None] & ix[None, :, None, :]).reshape(plan.copies, plan.pix_h, plan.pix_w)


def copy_windows(mask: np.ndarray, plan: Plan) -> np.ndarray:
    """For a (N, Ph, Pw) mask over PW pixels: (copies, N, Kh, Kw), each copy's kernel window of it."""
    L = plan.layer
    win = np.lib.stride_tricks.sliding_window_view(mask, (L.k_h, L.k_w), axis=(1, 2))
    win = win[:, ::L.stride_h, ::L.stride_w][:, :plan.nh, :plan.nw]  # (N, nh, nw, Kh, Kw)
    return win.transpose(1, 2, 0, 3, 4).reshape(plan.copies, mask.shape[0], L.k_h, L.k_w)


def place_kernels(keep: np.ndarray, plan: Plan) -> np.ndarray:
    """For kernel arrays (copies|1, N, Kh, Kw): (copies, N, Ph, Pw), each copy's kernel at its
    place in the PW, zero elsewhere (the inverse of `copy_windows`)."""
    L = plan.layer
    keep = np.broadcast_to(keep, (plan.copies,) + keep.shape[1:])
    out = np.zeros((plan.copies, keep.shape[1], plan.pix_h, plan.pix_w), dtype=keep.dtype)
    k = np.arange(plan.copies)[:, None, None]
    yy = (k // plan.nw) * L.stride_h + np.arange(L.k_h)[None, :, None]
    xx = (k % plan.nw) * L.stride_w + np.arange(L.k_w)[None, None, :]
    out[k, :, yy, xx] = keep.transpose(0, 2, 3, 1)  # advanced indices first: (copies, Kh, Kw, N)
    return out


@lru_cache(maxsize=1 << 14)  # plain integers in: the plans of a long list share their axes
def axis_tables(n_pos: int, n_win: int, stride: int, span: int, out: int, pad: int, size: int):
    """Along one axis: `t[w, u]` = PW positions at which window w's output is inside the OFM
    and PW pixel u reads a real IFM pixel; `real[u]` = positions at which u reads a real pixel;
    `outputs[w]` = outputs window w computes. Read-only arrays (they are shared)."""
    t, real, outputs = _axis_tables(n_pos, n_win, stride, span, out, pad, size)
    for a in (t, real, outputs):
        a.flags.writeable = False
    return t, real, outputs


def _axis_tables(n_pos, n_win, stride, span, out, pad, size):
    pos = np.arange(n_pos)[:, None]
    iy = pos * n_win * stride - pad + np.arange(span)[None, :]
    real = (iy >= 0) & (iy < size)  # (positions, pixels)
    inside = (pos * n_win + np.arange(n_win)[None, :]) < out  # (positions, windows)
    return inside.T.astype(np.int64) @ real.astype(np.int64), real.sum(0), inside.sum(0)


def _take(arr: np.ndarray, k, c, i, j):
    """arr[k, c, i, j] where a leading dimension of 1 broadcasts (index 0)."""
    return arr[k if arr.shape[0] > 1 else 0, c if arr.shape[1] > 1 else 0, i, j]


def _per_copy_sum(arr: np.ndarray, copies: int, ic: int) -> np.ndarray:
    """(copies, A, B): arr summed over channels (a broadcast channel dimension counts IC times)."""
    s = arr.sum(axis=1, dtype=np.int64) * (ic if arr.shape[1] == 1 else 1)
    return np.broadcast_to(s, (copies,) + s.shape[1:])


@dataclass(frozen=True, eq=False)
class Compression:
    """The compression of one plan; see the module docstring for the fields' shapes."""

    kind: str
    base: Plan  # the uncompressed plan (dense layout, "before" figures)
    row_keep: np.ndarray
    weight_keep: np.ndarray
    tile_rows: int
    extra: np.ndarray | None = None
    oc_keep: np.ndarray | None = None
    repacked: bool = True
    rule: str = ""  # how the pruned channels or the patterns were chosen
    note: str = ""  # why nothing (or less) was compressed, assumptions made
    patterns: tuple[str, ...] = ()  # PAIRS: the pattern set, 9-character keep masks
    pattern_of: np.ndarray | None = None  # PAIRS: pattern index of each input channel
    params: tuple[tuple[str, object], ...] = ()  # the options used, for reports

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"compression kind must be one of {KINDS}, got {self.kind!r}")
        for name, dtype in (("row_keep", bool), ("weight_keep", bool), ("extra", bool), ("oc_keep", np.int64),
                            ("pattern_of", np.int64)):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, _frozen(v, dtype))

    # --- identity: plans are frozen dataclasses compared by value ----------------------
    @cached_property
    def _key(self) -> tuple:
        h = hashlib.sha1()
        for a in (self.row_keep, self.weight_keep, self.extra, self.oc_keep, self.pattern_of):
            h.update(b"-" if a is None else repr(a.shape).encode() + np.ascontiguousarray(a).tobytes())
        return (self.kind, self.tile_rows, self.repacked, self.rule, self.note, self.patterns, self.params,
                h.hexdigest())

    def __eq__(self, other) -> bool:
        return isinstance(other, Compression) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    # --- rows -------------------------------------------------------------------------
    @cached_property
    def kept_list(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(channel, y, x) of every kept row in repacked order (int32 arrays)."""
        ic, ph, pw = self.row_keep.shape
        c, pix = np.nonzero(self.row_keep.reshape(ic, ph * pw))
        return c.astype(np.int32), (pix // pw).astype(np.int32), (pix % pw).astype(np.int32)

    @cached_property
    def kept_rows(self) -> int:
        return int(np.count_nonzero(self.row_keep))

    @property
    def dense_rows(self) -> int:
        """Rows of the dense layout in the plan's geometry: IC * Ph * Pw."""
        return int(self.row_keep.size)

    @property
    def rows_present(self) -> int:
        """Rows the plan's array holds: the kept ones, or all of them in the dense view."""
        return self.kept_rows if self.repacked else self.dense_rows

    @property
    def rows_skipped(self) -> int:
        return self.dense_rows - self.kept_rows

    @property
    def compression_rate(self) -> float:
        """Rows before / rows after (dense rows over kept rows)."""
        return self.dense_rows / self.kept_rows

    @property
    def row_tiles(self) -> int:
        return ceil_div(self.kept_rows, self.tile_rows)

    @property
    def channels_removed(self) -> np.ndarray:
        """Input channels (within the group) with no kept row."""
        return np.flatnonzero(~self.row_keep.any(axis=(1, 2)))

    def out_channels_removed(self, plan: Plan) -> np.ndarray:
        if self.oc_keep is None:
            return np.zeros(0, dtype=np.int64)
        return np.setdiff1d(np.arange(plan.group.out_c), self.oc_keep)

    def row_vectors(self, plan: Plan, a: int) -> RowVectors:
        if not self.repacked:
            rv = dense_row_vectors(plan, a)
            kept = rv.used & self.row_keep[np.maximum(rv.c, 0), np.maximum(rv.y, 0), np.maximum(rv.x, 0)]
            return RowVectors(rv.c, rv.y, rv.x, kept)
        c, y, x = self.kept_list
        s = a * self.tile_rows
        e = min(s + self.tile_rows, c.size)
        out = np.full((3, plan.array.rows), -1, dtype=np.int32)
        if 0 <= s < e:
            out[:, :e - s] = c[s:e], y[s:e], x[s:e]
        return RowVectors(out[0], out[1], out[2], out[0] >= 0)

    # --- columns ----------------------------------------------------------------------
    def n_out(self, plan: Plan) -> int:
        """Output channels (within the group) the compressed layer computes."""
        return plan.group.out_c if self.oc_keep is None else int(self.oc_keep.size)

    def n_out_present(self, plan: Plan) -> int:
        """Output channels with columns in the plan's array (all of them in the dense view)."""
        return self.n_out(plan) if self.repacked else plan.group.out_c

    def col_vectors(self, plan: Plan, b: int) -> ColVectors:
        if self.oc_keep is None:
            return dense_col_vectors(plan, b)
        if not self.repacked:
            cv = dense_col_vectors(plan, b)
            return ColVectors(cv.copy, cv.oc, cv.bit, cv.used & np.isin(cv.oc, self.oc_keep))
        # Columns for the kept channels only, numbered 0..OC'-1, then named by their channel.
        cv = dense_col_vectors(plan, b, int(self.oc_keep.size))
        oc = np.where(cv.used, self.oc_keep[np.maximum(cv.oc, 0)], -1).astype(np.int32)
        return ColVectors(cv.copy, oc, cv.bit, cv.used)

    def oc_local(self, oc):
        """Column index (0..OC'-1) of output channel(s) `oc` within the group; -1 if removed."""
        oc = np.asarray(oc)
        if self.oc_keep is None or not self.repacked:
            return oc
        i = np.searchsorted(self.oc_keep, oc)
        ok = (i < self.oc_keep.size) & (self.oc_keep[np.minimum(i, self.oc_keep.size - 1)] == oc)
        return np.where(ok, i, -1)

    # --- cells ------------------------------------------------------------------------
    @cached_property
    def changes_cells(self) -> bool:
        """False when every weight of the dense mapping stays and no cell is added: the cells
        are then the dense ones, and `cell_masks` need not run (fallbacks, big layers)."""
        return bool(not self.weight_keep.all() or self.extra is not None
                    or (self.oc_keep is not None and not self.repacked))

    def cell_masks(self, c, y, x, copy, oc, ky, kx, inside):
        """(kernel, extra) bool masks of cells, broadcasting rows (c, y, x: channel, PW pixel)
        against columns (copy, oc); `ky, kx` the kernel offsets, `inside` the dense mapping's
        weight cells. kernel: a weight the compression keeps; extra: a compensatory cell."""
        k0, c0 = np.maximum(copy, 0), np.maximum(c, 0)
        kernel = inside & _take(self.weight_keep, k0, c0, np.clip(ky, 0, self.weight_keep.shape[2] - 1),
                                np.clip(kx, 0, self.weight_keep.shape[3] - 1))
        if self.extra is None:
            extra = np.zeros(np.shape(kernel), dtype=bool)
        else:
            valid = (c >= 0) & (copy >= 0)
            extra = valid & ~inside & _take(self.extra, k0, c0, np.maximum(y, 0), np.maximum(x, 0))
        if self.oc_keep is not None and not self.repacked:
            ok = np.isin(oc, self.oc_keep)
            kernel, extra = kernel & ok, extra & ok
        return kernel, extra

    # --- figures (per group; the plan multiplies by its groups) ------------------------
    def copy_cells(self, plan: Plan) -> np.ndarray:
        """(copies,) weight cells (kernel + compensatory) in one output channel's column of each copy."""
        cache = self.__dict__.setdefault("_copy_cells", {})  # plans of one compression share it
        if plan.copies not in cache:
            ic = self.row_keep.shape[0]
            n = _per_copy_sum(self.weight_keep, plan.copies, ic).sum(axis=(1, 2))
            if self.extra is not None:
                n = n + _per_copy_sum(self.extra, plan.copies, ic).sum(axis=(1, 2))
            cache[plan.copies] = n
        return cache[plan.copies]

    def _outputs_per_copy(self, plan: Plan) -> np.ndarray:
        L = plan.layer
        ny = axis_tables(plan.n_pw_h, plan.nh, L.stride_h, plan.pix_h, L.out_h, L.pad_h, L.in_h)[2]
        nx = axis_tables(plan.n_pw_w, plan.nw, L.stride_w, plan.pix_w, L.out_w, L.pad_w, L.in_w)[2]
        return (ny[:, None] * nx[None, :]).ravel()

    def weight_cells(self, plan: Plan) -> int:
        """Weights the arrays hold (kernel + compensatory; a weight's cpw slice cells count once)."""
        return int(self.copy_cells(plan).sum()) * self.n_out(plan)

    def block_cells(self, plan: Plan) -> int:
        return self.rows_present * plan.copies * self.n_out_present(plan)

    def useful_macs(self, plan: Plan) -> int:
        """Products of the kept (and compensatory) weights over the OFM, padding included as
        the dense figure does."""
        return int((self._outputs_per_copy(plan) * self.copy_cells(plan)).sum()) * self.n_out(plan)

    def lower_bound(self, plan: Plan) -> int:
        """Section 4's bound for the compressed layer: an output of copy k needs its
        `copy_cells[k]` products, at most R per column-cycle."""
        a = plan.array
        per_col = -(-self.copy_cells(plan) // a.rows)
        need = int((self._outputs_per_copy(plan) * per_col).sum()) * self.n_out(plan) * a.cells_per_weight
        return ceil_div(need, a.cols)

    def conversions(self, plan: Plan):
        """ADC/DAC conversions and MACs, as engine.energy counts them for dense plans."""
        from ..energy import Conversions

        L, cpw = plan.layer, plan.array.cells_per_weight
        adc = plan.ar * cpw * L.out_h * L.out_w * self.n_out_present(plan)
        ty, ry, _ = axis_tables(plan.n_pw_h, plan.nh, L.stride_h, plan.pix_h, L.out_h, L.pad_h, L.in_h)
        tx, rx, _ = axis_tables(plan.n_pw_w, plan.nw, L.stride_w, plan.pix_w, L.out_w, L.pad_w, L.in_w)
        rows = self._row_counts
        dac = plan.ac * int((ry @ rows @ rx) if self.repacked else rows * ry.sum() * rx.sum())
        # Each kept weight (kernel tap (ky, kx) of copy (wy, wx)) works at the positions where its
        # output is inside and its pixel (wy*sh + ky, wx*sw + kx) real; compensatory cells likewise.
        k = np.arange(plan.copies)
        wy, wx = (k // plan.nw)[:, None], (k % plan.nw)[:, None]
        t_y = ty[wy, wy * L.stride_h + np.arange(L.k_h)[None, :]]  # (copies, Kh)
        t_x = tx[wx, wx * L.stride_w + np.arange(L.k_w)[None, :]]  # (copies, Kw)
        s_k = self._kernel_counts  # (copies|1, Kh, Kw)
        if s_k.shape[0] == 1:
            taps = int(((t_y @ s_k[0]) * t_x).sum())
        else:
            taps = int((np.einsum("ka,kab->kb", t_y, s_k) * t_x).sum())
        if self.extra is not None:
            e = _per_copy_sum(self.extra, plan.copies, self.row_keep.shape[0])
            taps += int(np.einsum("kyx,ky,kx->", e, ty[wy[:, 0]], tx[wx[:, 0]]))
        macs = cpw * self.n_out(plan) * taps
        g = L.groups
        return Conversions(adc * g, dac * g, macs * g)

    @cached_property
    def _row_counts(self):
        """Kept rows per PW pixel (Ph, Pw), summed over channels (repacked); IC for the dense view."""
        return self.row_keep.sum(axis=0, dtype=np.int64) if self.repacked else self.row_keep.shape[0]

    @cached_property
    def _kernel_counts(self) -> np.ndarray:
        """(copies|1, Kh, Kw): kept weights of each kernel tap, summed over the channels."""
        w = self.weight_keep
        return w.sum(axis=1, dtype=np.int64) * (self.row_keep.shape[0] if w.shape[1] == 1 else 1)

    # --- reports ----------------------------------------------------------------------
    def kernel_sizes(self, plan: Plan) -> np.ndarray:
        """(copies, IC) kernel weights each copy keeps per input channel."""
        s = self.weight_keep.sum(axis=(2, 3))
        return np.broadcast_to(s, (plan.copies, self.row_keep.shape[0]))

    def to_dict(self, plan: Plan) -> dict:
        """The CLI's JSON fields: rows_skipped, compression_rate, channels_removed (VWC-SDK),
        and the details under `compression`."""
        base = self.base
        d = {"rows_skipped": self.rows_skipped, "compression_rate": self.compression_rate}
        removed = self.channels_removed
        if self.kind == "vwc-sdk":
            d["channels_removed"] = int(removed.size)
        info = {"kind": self.kind, "base_method": base.method, "rows_before": self.dense_rows,
                "rows_after": self.kept_rows, "ar_before": base.ar, "ar_after": plan.ar,
                "cycles_before": base.cycles, "cycles_after": plan.cycles,
                "options": {k: v for k, v in self.params}}
        if self.rule:
            info["rule"] = self.rule
        if self.note:
            info["note"] = self.note
        if self.kind == "vwc-sdk":
            info["channels_removed"] = removed.tolist()
            info["out_channels_removed"] = self.out_channels_removed(plan).tolist()
        if self.kind == "pairs" and self.pattern_of is not None:
            info["patterns"] = list(self.patterns)
            info["pattern_of_channel"] = self.pattern_of.tolist()
        if self.kind == "kerntrol":
            sizes = self.kernel_sizes(plan)[:, 0]
            info["kernel_elements_lost_per_copy"] = (plan.layer.k_h * plan.layer.k_w - sizes).tolist()
            if self.extra is not None:
                info["extra_weights_per_copy"] = (self.copy_cells(plan) // self.row_keep.shape[0] - sizes).tolist()
        d["compression"] = info
        return d


def attach(plan: Plan, comp: Compression) -> Plan:
    """`plan` (PW, splits, column tiles) carrying `comp`; AR becomes the repacked row tiles.

    Checks the masks' shapes against the plan and that every kept weight and compensatory
    cell sits on a kept row (a skipped row must hold nothing, or repacking would lose it)."""
    if plan.regions:
        raise ValueError("a region plan cannot carry a compression")
    L, ic, copies = plan.layer, plan.group.in_c, plan.copies
    pw_shape = (plan.pix_h, plan.pix_w)

    def check(name, a, tail):
        ok = a.ndim == 4 and a.shape[0] in (1, copies) and a.shape[1] in (1, ic) and a.shape[2:] == tail
        if not ok:
            raise ValueError(f"{name}: shape {a.shape} does not fit the plan (copies {copies}, IC {ic}, {tail})")

    if comp.row_keep.shape != (ic,) + pw_shape:
        raise ValueError(f"row_keep: shape {comp.row_keep.shape}, expected {(ic,) + pw_shape}")
    check("weight_keep", comp.weight_keep, (L.k_h, L.k_w))
    on_rows = copy_windows(comp.row_keep, plan)
    if (np.broadcast_to(comp.weight_keep, on_rows.shape) & ~on_rows).any():
        raise ValueError("a kept weight lies on a row the compression leaves out")
    if comp.extra is not None:
        check("extra", comp.extra, pw_shape)
        if (comp.extra & ~comp.row_keep[None]).any() or (comp.extra & footprints(plan)[:, None]).any():
            raise ValueError("compensatory cells must lie on kept rows, outside the copy's kernel")
    if comp.oc_keep is not None:
        o = comp.oc_keep
        if o.ndim != 1 or o.size == 0 or (np.diff(o) <= 0).any() or o[0] < 0 or o[-1] >= plan.group.out_c:
            raise ValueError("oc_keep: must list kept output channels, increasing, inside the group")
    if comp.kept_rows == 0 or not 1 <= comp.tile_rows <= plan.array.rows:
        raise ValueError(f"no kept row, or {comp.tile_rows} rows per tile on a {plan.array.rows}-row array")
    return replace(plan, ar=comp.row_tiles if comp.repacked else plan.ar, compression=comp)


# --- shared compressions: plans that differ only in what the masks do not depend on -------
_PLAN_CACHES = tuple(k for k, v in vars(Plan).items() if isinstance(v, cached_property)) + ("_twin",)
_SHARED: dict = {}
_SHARED_MAX = 4096


def rebound(template: Plan, source: Plan, layer, base: Plan) -> Plan:
    """A compressed plan like `template` for another layer: `source`'s PW and tiles (the plan
    the method would compress, equal to the template's in everything the key of `shared_plan`
    names), `layer`, and the template's compression (masks shared, read-only) with `base`."""
    comp = copy.copy(template.compression)  # its cached rows, cells, identity come along
    object.__setattr__(comp, "base", base)
    new = copy.copy(source)
    d = new.__dict__
    for k in _PLAN_CACHES:  # the figures are the new layer's
        d.pop(k, None)
    d.update(layer=layer, method=template.method, row_split=template.row_split, ict=template.ict,
             ar=template.ar, compression=comp)
    return new


def shared_plan(key, source: Plan, layer, base: Plan, make) -> Plan:
    """`make()`, or a plan `rebound` from the one `make()` built for the same `key` before.

    `key` must name everything the compression and the plan's changed fields (method, row
    split, ICt, AR) depend on besides the layer's IFM size and padding, and of `source`
    everything but its layer; None (weights given, say) builds afresh. Long lists of layers
    of a few kernel and channel shapes so build and validate each mask set once."""
    if key is not None:
        try:
            t = _SHARED.get(key)
        except TypeError:  # unhashable option values: no sharing
            key, t = None, None
        if t is not None:
            return rebound(t, source, layer, base)
    plan = make()
    if key is not None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = plan
    return plan


def base_key(base: Plan) -> tuple:
    """What of a base plan (sdk, vw-sdk, a what-if) a PAIRS or KERNTROL compression depends on."""
    L = base.layer
    return (base.method, base.nh, base.nw, base.ict, base.row_split, L.k_h, L.k_w, L.stride_h, L.stride_w,
            L.group_in_c, base.array.rows)
