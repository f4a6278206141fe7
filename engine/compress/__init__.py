"""Compression-aware mappings: VWC-SDK, PAIRS and KERNTROL (mapping model, section 10).

A compressed plan is an ordinary `Plan` whose `compression` (`Compression`) says which
rows of its PW stay, which weights each kernel copy keeps, which output channels are
computed and how the kept rows are repacked into row tiles. The cell layout, the
schedule, the functional simulation and the energy counts all read the plan through that
one object, so the functional proof covers the repacking.

Methods (registered in engine.methods): `vwc-sdk` (VwcOptions; `prune_network` for a
layer list), `pairs` (PairsOptions), `kerntrol` (KerntrolOptions). `pairs_plan` and
`kerntrol_plan` compress any single-region base plan; `candidate_plan` gives a method's
what-if plan at a PW the user picks, `compressed_grid` the figures of every PW candidate.
For views: see engine.compress.views.
"""
# The method modules first: importing them registers vwc-sdk, pairs and kerntrol, in that order
# (the order engine.methods.METHODS, and so the app, lists them).
from .vwc_sdk import VwcOptions, chain_links, prune_network, vwc_layer
from .pairs import PairsOptions, pairs_plan
from .kerntrol import KerntrolOptions, coverage, kerntrol_plan, omitted_pixels, row_utilization
from .candidates import base_candidate, candidate_plan
from .grid import compressed_grid
from .model import Compression, attach, copy_windows, footprints, place_kernels
from .patterns import ASSIGN_RULES, PATTERN_SETS, parse_patterns, pattern_masks
from .reference import random_extra, reference_conv
from .views import (COMPRESSION_FIELDS, CellTables, RowFate, cell_tables, compression_fields, dense_plan,
                    kernel_masks, row_fate, row_slots)

__all__ = [
    "ASSIGN_RULES", "COMPRESSION_FIELDS", "CellTables", "Compression", "KerntrolOptions", "PATTERN_SETS", "PairsOptions", "RowFate",
    "VwcOptions", "attach", "base_candidate", "candidate_plan", "cell_tables", "chain_links", "compressed_grid",
    "compression_fields",
    "copy_windows", "coverage", "dense_plan", "footprints", "kernel_masks", "kerntrol_plan", "omitted_pixels",
    "pairs_plan", "parse_patterns", "pattern_masks", "place_kernels", "prune_network", "random_extra",
    "reference_conv", "row_fate", "row_slots", "row_utilization", "vwc_layer",
]
