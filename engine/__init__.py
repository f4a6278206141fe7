"""XbarScope's mapping engine: pure Python + numpy, no Qt.

Public API: layers (`ConvLayer`, `ArraySpec`), `map_layer` and the `METHODS` registry,
`Plan`, cell layout, schedule and functional simulation.
"""
from .errors import ArrayError, Cancelled, FormatError, LayerError, XbarError
from .layers import ArraySpec, ConvLayer
from .methods import DEFAULT_METHODS, METHODS, map_layer
from .plan import Plan, lower_bound

__version__ = "0.1.0"

__all__ = [
    "ArrayError", "ArraySpec", "Cancelled", "ConvLayer", "DEFAULT_METHODS", "FormatError",
    "LayerError", "METHODS", "Plan", "XbarError", "lower_bound", "map_layer", "__version__",
]
