"""Pedestrian trajectories (issue 6): ETH/UCY data, a social-force simulator, trajectory Transformers.

Read in this order:

* :mod:`~tfviz.core.traj.data` - the strict ETH/UCY reader and the 8 + 12 step windows;
* :mod:`~tfviz.core.traj.geometry` - constant velocity, ADE / FDE;
* :mod:`~tfviz.core.traj.models` - ``tf``, ``tf-multi`` and ``star`` from the shared blocks;
* :mod:`~tfviz.core.traj.training` - training one leave-one-scene-out fold, as a generator;
* :mod:`~tfviz.core.traj.evaluate` - batched evaluation;
* :mod:`~tfviz.core.traj.synthetic` - synthetic crowds (social force);
* :mod:`~tfviz.core.traj.playback` - a recording frame by frame, with predictions (the panel);
* :mod:`~tfviz.core.traj.weights`, :mod:`~tfviz.core.traj.batches`,
  :mod:`~tfviz.core.traj.download` - files, tensors, the optional download.
"""
