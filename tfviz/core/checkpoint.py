"""Reading weights files (safetensors) and checking them before a model trusts them.

Every model tfviz trains is saved with safetensors (never pickle) and read back through
:func:`read_tensors`, which turns each way a file can be wrong into one error naming the file:
not a safetensors file, cut short, holding NaN or infinities. :func:`check_fits` then compares
the tensors with the model they are meant for (missing, unexpected, wrong shape) before
``load_state_dict`` sees them.

>>> import torch
>>> count_parameters(torch.nn.Linear(3, 2))  # 3*2 weights + 2 biases
8
"""

from __future__ import annotations

import os

from torch import Tensor, nn


class CheckpointError(ValueError):
    """A weights file that cannot be used; the message names the file and the problem."""


def count_parameters(model: nn.Module) -> int:
    """How many numbers a model learns."""
    return sum(p.numel() for p in model.parameters())


def read_metadata(path: str | os.PathLike, error: type[Exception] = CheckpointError) -> dict[str, str]:
    """The string metadata of a safetensors file (its header only; no tensor is read)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return dict(f.metadata() or {})
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except Exception as exc:  # noqa: BLE001 - the safetensors reader raises several types
        raise error(f"{path}: not a readable safetensors file ({_first_line(exc)})") from None


def tensor_shapes(path: str | os.PathLike, error: type[Exception] = CheckpointError) -> dict[str, tuple[int, ...]]:
    """The name and shape of every tensor in a file, read from its header (nothing allocated)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="pt") as f:
            return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    except Exception as exc:  # noqa: BLE001
        raise error(f"{path}: not a readable safetensors file ({_first_line(exc)})") from None


def read_tensors(path: str | os.PathLike, error: type[Exception] = CheckpointError) -> dict[str, Tensor]:
    """All tensors of a safetensors file, refused if the file is damaged or not finite."""
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(path))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except Exception as exc:  # noqa: BLE001
        raise error(f"{path}: not a readable safetensors file ({_first_line(exc)})") from None
    check_finite(tensors, path, error)
    return tensors


def check_finite(tensors: dict[str, Tensor], path, error: type[Exception] = CheckpointError) -> None:
    """Refuse NaN or infinite values: a damaged file must not produce numbers that look real.

    >>> import torch
    >>> check_finite({"w": torch.tensor([1.0, float("nan")])}, "x.safetensors")
    Traceback (most recent call last):
    ...
    tfviz.core.checkpoint.CheckpointError: x.safetensors: tensor 'w' holds NaN or infinite values; the file is damaged
    """
    import torch

    for name, t in tensors.items():
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise error(f"{path}: tensor {name!r} holds NaN or infinite values; the file is damaged")


def check_fits(
    model: nn.Module, shapes: dict[str, tuple[int, ...]], path, error: type[Exception] = CheckpointError
) -> None:
    """Compare a file's tensor shapes with a model's parameters and persistent buffers.

    ``model`` may live on the meta device (built without memory) so this runs before any
    large allocation.

    >>> check_fits(nn.Linear(3, 2), {"weight": (2, 3), "bias": (2,)}, "f")
    >>> check_fits(nn.Linear(3, 2), {"weight": (2, 4), "bias": (2,)}, "f")
    Traceback (most recent call last):
    ...
    tfviz.core.checkpoint.CheckpointError: f: tensor 'weight' has shape (2, 4), the model expects (2, 3)
    """
    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = [k for k in want if k not in shapes]
    if missing:
        raise error(f"{path}: missing tensor {missing[0]!r}" + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    extra = [k for k in shapes if k not in want]
    if extra:
        raise error(f"{path}: unexpected tensor {extra[0]!r}; the file is for another model")
    for k, shape in want.items():
        if tuple(shapes[k]) != shape:
            raise error(f"{path}: tensor {k!r} has shape {tuple(shapes[k])}, the model expects {shape}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
