"""clipserve_distill: CLIP model code, tokenizer, preprocessing and ONNX export for clipserve."""

__version__ = "0.1.0"
