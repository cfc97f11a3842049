"""Weft's PyTorch reference of MM-Interleaved.

Same architecture and the same parameter names as the Java engine (and as the released MM-Interleaved
checkpoint, notes section 1.9). Written for torch 1.13 (Debian's python3-torch, CPU) and torch 2.x (the GPU
machine): no scaled_dot_product_attention, no safetensors package.
"""
