"""The file formats by name: what a file dialog lists and a CLI's --format accepts."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileFormat:
    name: str
    extensions: tuple[str, ...]
    description: str
    writable: bool = True  # by save_network (a project is written by save_project)

    @property
    def file_filter(self) -> str:
        """E.g. 'SCALE-Sim topology (*.csv)', as file dialogs take it."""
        return f"{self.description} ({' '.join('*' + e for e in self.extensions)})"


FORMATS: dict[str, FileFormat] = {f.name: f for f in (
    FileFormat("json", (".json",), "XbarScope layer list (JSON)"),
    FileFormat("csv", (".csv",), "XbarScope layer list (CSV)"),
    FileFormat("neurosim", (".csv",), "DNN+NeuroSim NetWork.csv"),
    FileFormat("scalesim", (".csv",), "SCALE-Sim topology"),
    # One layer a file, or a folder of numbered layer files (engine.formats.timeloop).
    FileFormat("timeloop", (".yaml", ".yml"), "Timeloop/CiMLoop problem", writable=False),
    FileFormat("project", (".json",), "XbarScope project", writable=False),
    FileFormat("onnx", (".onnx",), "ONNX model", writable=False),  # needs the onnx package
)}
