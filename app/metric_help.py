"""Plain-words explanations of every figure the app shows (tooltips and the inspector)."""

HELP = {
    "cycles": "Computing cycles: how many times the crossbar is activated to compute this layer "
              "(one input vector in, one partial-sum vector out per cycle). Fewer is faster.",
    "windows": "Parallel window (nh × nw): how many neighbouring convolution windows are "
               "computed in the same cycle. im2col computes one at a time.",
    "pixels": "Input pixels the parallel window covers (Ph × Pw): a bigger window reuses "
              "overlapping pixels across several outputs.",
    "ict": "Input channels per row tile: how many channels fit on the array's rows at once "
           "(flat splits use all channels and cut the unrolled input anywhere).",
    "oct": "Output channels per column tile: how many kernels fit on the array's columns at once.",
    "ar": "AR: row tiles. The input vector is longer than the array has rows, so it is cut into "
          "this many pieces whose partial sums are added digitally.",
    "ac": "AC: column tiles. The layer needs more columns than the array has, so its kernels are "
          "spread over this many array configurations.",
    "tiles": "ICt / OCt: input channels per row tile and output channels per column tile: how many "
             "channels fit on the array's rows, and how many kernels on its columns, at once.",
    "arac": "AR × AC: row tiles × column tiles. The layer is cut into AR pieces along the input "
            "(partial sums added digitally) and AC pieces along the outputs.",
    "weight_util": "Weight utilization: the share of the array's cells (over all tiles used) that "
                   "hold a weight. This is the utilization the VW-SDK paper reports.",
    "block_occ": "Block occupancy: the share of cells inside the mapped block, counting the zero "
                 "cells around the shifted kernel copies.",
    "mac_util": "MAC utilization: useful multiply-accumulates divided by all cell-cycles spent. "
                "It also charges idle cells and windows that hang past the image edge.",
    "lower_bound": "Lower bound: no mapping of this kind can use fewer cycles (each output needs its "
                   "products summed, at most one array's rows per column per cycle).",
    "efficiency": "Efficiency: lower bound ÷ cycles. 100 % means the mapping cannot be improved.",
    "vs_im2col": "Speed-up over im2col: im2col cycles ÷ this method's cycles.",
    "vs_sdk": "Speed-up over SDK: SDK cycles ÷ this method's cycles.",
    "regions": "Regions: an edge-aware plan maps the bulk of the output with one parallel window "
               "and the leftover edge strips and corner with their own; other plans have one region.",
    "adc": "ADC conversions: analog-to-digital conversions over the whole layer, one per column read "
           "in each cycle (each bit-slice column counted). Columns whose output lies past the image edge are not read.",
    "dac": "DAC conversions: digital-to-analog conversions over the whole layer, one per row driven with "
           "a real input pixel in each cycle. Rows on padding are held at zero without a conversion.",
    "macs": "MACs: cell multiply-accumulates that use a real input and add to a real output.",
    "energy": "Energy (proxy): ADC conversions × pJ per ADC conversion + DAC conversions × pJ per DAC "
              "conversion + MACs × pJ per cell MAC, with the energies set under Array and methods. "
              "Conversions dominate: fewer cycles usually means fewer of them.",
    "rows_skipped": "Rows skipped (compression-aware methods): array rows of the uncompressed layout that hold "
                    "no weight after pruning and are left out; the kept rows are repacked into fewer row tiles.",
    "compression_rate": "Compression rate: rows of the uncompressed layout ÷ rows kept. 2× means half the rows.",
    "channels_removed": "Channels removed (VWC-SDK): residual input channels pruned so that every row tile is full.",
    "n_pw": "Parallel-window positions: how many times the window is stepped over the output.",
}
