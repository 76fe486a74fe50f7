"""PyTorch modules of sks4: SSM kernels, the S4 layer and the S4 backbone.

Shapes are channels-first throughout: sequences are (batch, channels, length)
and kernels are (channels, length).
"""

from sks4.nn.kernels import DiagonalKernel, DPLRKernel, SSMKernel
from sks4.nn.layer import S4Layer
from sks4.nn.model import S4Block, S4Model, ssm_parameter_names

__all__ = ["SSMKernel", "DPLRKernel", "DiagonalKernel", "S4Layer", "S4Block", "S4Model", "ssm_parameter_names"]
